import { createHash } from 'node:crypto';
import {
  DatasetManifest,
  type DatasetVersion,
  type DeriveRequest,
  type MergeRequest,
} from '../contract';
import { AppError, notFound } from '../http/app-error';
import { invalid } from '../http/validate';
import type { DatasetVersionRepository } from '../repositories/dataset-version.repository';
import type { BlobService } from './blob.service';
import type { Clock } from './clock';
import { deriveManifest } from './dataset-derive';
import { diffManifests } from './dataset-diff';
import { mergeManifests } from './dataset-merge';

/** Key order fixed, images sorted by hash: the same labels always give the same version id. */
export function canonicalManifest(m: DatasetManifest): DatasetManifest {
  return {
    name: m.name,
    // Optional parts appear only when present, so a boxes-only manifest keeps the id it had
    // before polygons and image classes existed.
    ...(m.task ? { task: m.task } : {}),
    classes: m.classes,
    images: [...m.images]
      .sort((a, b) => (a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0))
      .map((i) => ({
        sha256: i.sha256,
        fileName: i.fileName,
        width: i.width,
        height: i.height,
        boxes: i.boxes.map((b) => ({ classIndex: b.classIndex, x: b.x, y: b.y, w: b.w, h: b.h })),
        ...(i.polygons?.length
          ? {
              polygons: i.polygons.map((p) => ({
                classIndex: p.classIndex,
                points: p.points.map(([x, y]) => [x, y] as [number, number]),
              })),
            }
          : {}),
        ...(i.imageClass !== undefined ? { imageClass: i.imageClass } : {}),
        ...(i.split ? { split: i.split } : {}),
      })),
  };
}

export class DatasetService {
  constructor(
    private readonly versions: DatasetVersionRepository,
    private readonly blobs: BlobService,
    private readonly clock: Clock,
  ) {}

  /** Seals an immutable version; sending the same manifest twice returns the same version. */
  seal(manifest: DatasetManifest): DatasetVersion {
    const canonical = canonicalManifest(manifest);
    this.assertUniqueImages(canonical);
    const missing = this.blobs.missing(canonical.images.map((i) => i.sha256));
    if (missing.length > 0) {
      throw new AppError(
        409,
        'missing_blobs',
        `${missing.length} image(s) of this dataset are not on the server yet`,
        'Upload the missing images (PUT /api/blobs/:sha256), then seal again.',
        { missing },
      );
    }
    const id = createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
    const existing = this.versions.get(id);
    if (existing) return existing;
    const version: DatasetVersion = {
      id,
      name: canonical.name,
      classes: canonical.classes,
      imageCount: canonical.images.length,
      task: canonical.task ?? 'detect',
      boxCount: canonical.images.reduce((n, i) => n + i.boxes.length, 0),
      polygonCount: canonical.images.reduce((n, i) => n + (i.polygons?.length ?? 0), 0),
      classifiedCount: canonical.images.filter((i) => i.imageClass !== undefined).length,
      createdAt: this.clock.now().toISOString(),
    };
    this.versions.insert(version, canonical);
    return version;
  }

  get(id: string) {
    const version = this.versions.get(id);
    if (!version) throw notFound('dataset version', id);
    return version;
  }

  manifest(id: string) {
    const manifest = this.versions.manifest(id);
    if (!manifest) throw notFound('dataset version', id);
    return manifest;
  }

  list() {
    return this.versions.list();
  }

  diff(id: string, other: string) {
    return diffManifests({ from: id, to: other }, this.manifest(id), this.manifest(other));
  }

  merge(r: MergeRequest) {
    const sources = r.sources.map((s) => ({
      id: s.versionId,
      manifest: this.manifest(s.versionId),
      classMap: s.classMap,
    }));
    return this.sealBuilt(mergeManifests(r.name, sources, r.unlabeled));
  }

  derive(r: DeriveRequest) {
    const source = this.manifest(r.versionId);
    const rule = r.rule.kind === 'top-k' ? `top ${r.rule.k} classes` : `classes with ${r.rule.n}+`;
    const name = r.name ?? `${source.name} (${rule})`.slice(0, 120);
    return this.sealBuilt(deriveManifest(source, r.rule, r.unlabeled, name));
  }

  /**
   * Checks a manifest from outside a JSON request (a bundle's manifest.json) exactly as a sync's
   * is checked, and everything seal would refuse short of missing blobs, before anything is kept.
   */
  check(input: unknown, where = 'manifest'): DatasetManifest {
    const parsed = DatasetManifest.safeParse(input);
    if (!parsed.success) {
      throw invalid(parsed.error, where, 'Fix the manifest and send it again.', 'invalid_manifest');
    }
    this.assertUniqueImages(canonicalManifest(parsed.data));
    return parsed.data;
  }

  /** A manifest built on the server (merge, derive) still passes every rule a client's does. */
  private sealBuilt(manifest: DatasetManifest) {
    return this.seal(this.check(manifest, 'result'));
  }

  private assertUniqueImages(m: DatasetManifest) {
    const dup = m.images.find((img, i) => i > 0 && m.images[i - 1]?.sha256 === img.sha256);
    if (dup) {
      throw new AppError(
        400,
        'duplicate_image',
        `image ${dup.sha256} (${dup.fileName}) appears twice in the manifest`,
        'Merge its labels into one entry.',
      );
    }
  }
}
