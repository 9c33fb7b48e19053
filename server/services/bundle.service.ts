import type { Readable } from 'node:stream';
import type { BundleImportReport } from '../contract';
import { AppError } from '../http/app-error';
import { bundleOverLimit, invalidBundle } from '../bundles/bundle-errors';
import { readBundle, type BundleContents } from '../bundles/bundle-reader';
import { writeBundle } from '../bundles/bundle-writer';
import { eachInParallel } from '../bundles/each-in-parallel';
import type { Limits } from '../env';
import type { BlobRepository } from '../repositories/blob.repository';
import { BlobTooLargeError, type BlobStore, type StoredBlob } from '../repositories/blob-store';
import type { Clock } from './clock';
import type { DatasetService } from './dataset.service';
import { checkImageSize, ImageSizeProbe } from './image-size';
import { proveDecodable } from './image-decode';
import { sniffImageType } from './media-type';

type Staged = StoredBlob & { tmpPath: string; mediaType: string };

/** Blobs unpacked (and later renamed into place) side by side; see eachInParallel. */
const STAGING_PARALLEL = 4;

/**
 * Dataset versions as one .zip (server/bundles/bundle-format.ts). An import is all or nothing:
 * the upload goes to a temporary file, every entry is checked and every blob staged beside the
 * store, and only when all of it passed are the blobs renamed into place and the version sealed.
 */
export class BundleService {
  constructor(
    private readonly datasets: DatasetService,
    private readonly store: BlobStore,
    private readonly blobs: BlobRepository,
    private readonly clock: Clock,
    private readonly limits: Limits & { maxBlobBytes: number },
  ) {}

  export(id: string) {
    const manifest = this.datasets.manifest(id);
    const blobs = [...new Set(manifest.images.map((i) => i.sha256))].map((sha256) => ({
      sha256,
      bytes: this.blobs.get(sha256)?.bytes ?? 0,
      open: () => this.store.open(sha256),
    }));
    // The stored manifest is the canonical one: its bytes hash to the version id.
    const bundle = writeBundle(JSON.stringify(manifest), blobs);
    return {
      ...bundle,
      fileName: `${manifest.name.replace(/[^\w.-]+/g, '-')}-${id.slice(0, 12)}.zip`,
    };
  }

  async import(body: Readable | null): Promise<BundleImportReport> {
    if (!body) throw new AppError(400, 'empty_upload', 'the request has no body');
    const uploadPath = await this.store.spool(body, this.limits.maxBundleBytes).catch((error) => {
      if (!(error instanceof BlobTooLargeError)) throw error;
      throw bundleOverLimit('the upload', this.limits.maxBundleBytes, 'LOUPE_MAX_BUNDLE_BYTES');
    });
    try {
      const limits = {
        maxEntries: this.limits.maxBundleEntries,
        maxEntryBytes: this.limits.maxBlobBytes,
        maxManifestBytes: this.limits.maxJsonBytes,
        maxUnzippedBytes: this.limits.maxBundleUnzippedBytes,
      };
      return await readBundle(uploadPath, limits, (bundle) => this.take(bundle));
    } finally {
      await this.store.discard(uploadPath);
    }
  }

  private async take(bundle: BundleContents): Promise<BundleImportReport> {
    const manifest = this.checkedManifest(await bundle.readManifest());
    const wanted = [...new Set(manifest.images.map((i) => i.sha256))];
    const inManifest = new Set(wanted);
    const absent = wanted.filter((sha) => !bundle.blobs.has(sha) && !this.blobs.has(sha));
    if (absent.length > 0) {
      throw invalidBundle(`${absent.length} image(s) of its manifest are not in it`, { absent });
    }
    const refused = [
      ...bundle.ignored,
      ...[...bundle.blobs]
        .filter((sha) => !inManifest.has(sha))
        .map((sha) => ({ entry: `blobs/${sha}`, reason: 'not in the manifest; not read' })),
    ];
    const staged: Staged[] = [];
    try {
      const inBundle = wanted.filter((s) => bundle.blobs.has(s));
      await eachInParallel(inBundle, STAGING_PARALLEL, async (sha) => {
        staged.push(await this.stage(bundle, sha));
      });
      const fresh = staged.filter((s) => !this.blobs.has(s.sha256));
      await eachInParallel(fresh, STAGING_PARALLEL, async (s) => {
        await this.store.commit(s.tmpPath, s.sha256);
        this.blobs.insert(s.sha256, s.bytes, s.mediaType, this.clock.now().toISOString());
      });
      const version = this.datasets.seal(manifest);
      const images = manifest.images.length;
      return {
        version,
        images,
        blobsNew: fresh.length,
        blobsAlreadyPresent: wanted.length - fresh.length,
        refused,
      };
    } finally {
      // Committed blobs were renamed away, so this removes only what was not kept.
      await Promise.all(staged.map((s) => this.store.discard(s.tmpPath)));
    }
  }

  private checkedManifest(json: unknown) {
    try {
      return this.datasets.check(json);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      throw invalidBundle(`manifest.json: ${error.message}`, error.details);
    }
  }

  /** Unpacks one blob beside the store and proves it is the image its name says. */
  private async stage(bundle: BundleContents, sha256: string): Promise<Staged> {
    const probe = new ImageSizeProbe();
    const entry = bundle.openBlob(sha256, (chunk) => probe.push(chunk));
    const stored = await this.store.receive(entry, this.limits.maxBlobBytes);
    try {
      const where = `entry blobs/${sha256}`;
      if (stored.sha256 !== sha256) {
        throw new AppError(
          400,
          'hash_mismatch',
          `${where} holds bytes that hash to ${stored.sha256}, not to its name`,
          'The bundle was altered or damaged; export it again.',
          { entry: `blobs/${sha256}`, sha256: stored.sha256 },
        );
      }
      const mediaType = sniffImageType(stored.head);
      if (!mediaType) {
        throw new AppError(
          415,
          'not_an_image',
          `${where} is not a JPEG, PNG or WebP image`,
          'Only photos travel in a bundle; export the dataset again from Loupe.',
        );
      }
      checkImageSize(probe.end(), this.limits.maxImagePixels, where);
      await proveDecodable(stored.tmpPath, this.limits.maxImagePixels, where);
      return { ...stored, mediaType };
    } catch (error) {
      await this.store.discard(stored.tmpPath);
      throw error;
    }
  }
}
