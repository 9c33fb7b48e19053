import type {
  DatasetManifest,
  DeviceSyncState,
  LabelChanges,
  LabelConflict,
  LabelMutation,
  LabelPush,
  LabelPushResult,
  LiveDatasetSummary,
  LiveLabels,
  MutationResult,
} from '../contract';
import { AppError } from '../http/app-error';
import type { LabelSyncRepository, LiveDataset } from '../repositories/label-sync.repository';
import type { Clock } from './clock';
import type { DatasetService } from './dataset.service';

const sameLabels = (a: LiveLabels, b: LiveLabels) =>
  JSON.stringify([a.boxes, a.polygons, a.imageClass]) ===
  JSON.stringify([b.boxes, b.polygons, b.imageClass]);

const unknownDataset = (id: string) =>
  new AppError(
    404,
    'not_found',
    `the server has no live dataset ${id}`,
    'Sync the dataset from the device that has it first.',
  );

/**
 * Classes: a device that added classes extends the server's list; a device that has not seen
 * the newest ones sends a prefix of it. Anything else renamed or renumbered classes, which label
 * sync does not translate: refused rather than guessed (docs/sync-protocol.md).
 */
function mergeClasses(server: string[], incoming: string[]): string[] {
  const prefix = (a: string[], b: string[]) => a.every((c, i) => b[i] === c);
  if (incoming.length >= server.length && prefix(server, incoming)) return incoming;
  if (prefix(incoming, server)) return server;
  throw new AppError(
    409,
    'classes_differ',
    `this device's classes (${incoming.join(', ')}) differ from the server's ` +
      `(${server.join(', ')}); label changes were not applied`,
    'Classes were renamed, merged or deleted on one device. Make the class lists match ' +
      '(or get the dataset again from the server), then sync again; your edits are kept.',
    { serverClasses: server },
  );
}

/**
 * Label changes as a log of per-device numbered mutations, applied effectively once, with
 * losing edits kept as conflicts. The rules are in docs/sync-protocol.md.
 */
export class LabelSyncService {
  constructor(
    private readonly repo: LabelSyncRepository,
    private readonly datasets: DatasetService,
    private readonly clock: Clock,
  ) {}

  push(datasetId: string, p: LabelPush): LabelPushResult {
    return this.repo.transaction(() => {
      const at = this.clock.now().toISOString();
      const dataset = this.repo.dataset(datasetId) ?? this.create(datasetId, p, at);
      const classes = mergeClasses(dataset.classes, p.classes);
      const lastSeq = this.repo.lastSeq(datasetId, p.deviceId);
      this.assertNoGap(p.mutations, lastSeq);
      let revision = dataset.revision;
      const results = p.mutations.map((m) => {
        if (m.seq <= lastSeq) return this.replayed(datasetId, p.deviceId, m);
        const applied = this.apply(dataset, p.deviceId, m, revision + 1, at);
        if (applied.outcome === 'applied') revision += 1;
        return applied;
      });
      const newest = Math.max(lastSeq, ...p.mutations.map((m) => m.seq));
      this.repo.setLastSeq(datasetId, p.deviceId, newest, at);
      this.repo.updateDataset(datasetId, { classes, revision }, at);
      return { lastSeq: newest, revision, results };
    });
  }

  /** The live datasets a device can join (docs/sync-protocol.md, Joining). */
  list(): LiveDatasetSummary[] {
    return this.repo.datasets();
  }

  changes(datasetId: string, since: number): LabelChanges {
    return this.repo.transaction(() => {
      const d = this.require(datasetId);
      return {
        datasetId,
        name: d.name,
        task: d.task,
        classes: d.classes,
        revision: d.revision,
        images: this.repo.imagesSince(datasetId, since).map(({ lastDeviceId: _, ...i }) => i),
        conflicts: this.repo.countOpenConflicts(datasetId),
      };
    });
  }

  conflicts(datasetId: string): LabelConflict[] {
    return this.repo.transaction(() => {
      this.require(datasetId);
      return this.repo.openConflicts(datasetId).map((c) => {
        const current = this.repo.image(datasetId, c.sha256)!;
        return {
          ...c,
          fileName: current.fileName,
          currentLabels: current.labels,
          currentRevision: current.revision,
        };
      });
    });
  }

  device(datasetId: string, deviceId: string): DeviceSyncState {
    const known = this.repo.dataset(datasetId) !== undefined;
    return {
      datasetId,
      deviceId,
      lastSeq: known ? this.repo.lastSeq(datasetId, deviceId) : 0,
      datasetKnown: known,
    };
  }

  /** Seals the live dataset as an immutable version, exactly as a manifest sync would. */
  seal(datasetId: string) {
    const d = this.require(datasetId);
    const manifest: DatasetManifest = {
      name: d.name,
      classes: d.classes,
      ...(d.task !== 'detect' ? { task: d.task } : {}),
      images: this.repo.imagesSince(datasetId, 0).map((i) => ({
        sha256: i.sha256,
        fileName: i.fileName,
        width: i.width,
        height: i.height,
        boxes: i.labels.boxes,
        ...(i.labels.polygons.length ? { polygons: i.labels.polygons } : {}),
        ...(i.labels.imageClass !== null ? { imageClass: i.labels.imageClass } : {}),
      })),
    };
    return this.datasets.seal(this.datasets.check(manifest, 'live dataset'));
  }

  private require(datasetId: string): LiveDataset {
    const d = this.repo.dataset(datasetId);
    if (!d) throw unknownDataset(datasetId);
    return d;
  }

  private create(id: string, p: LabelPush, at: string): LiveDataset {
    const d = { id, name: p.name, task: p.task, classes: p.classes };
    this.repo.createDataset(d, at);
    return { ...d, revision: 0 };
  }

  /** Mutations must continue the device's numbering with no hole; the client re-pulls if not. */
  private assertNoGap(mutations: LabelMutation[], lastSeq: number) {
    let expected = lastSeq + 1;
    for (const m of mutations) {
      if (m.seq <= lastSeq) continue;
      if (m.seq !== expected) {
        throw new AppError(
          409,
          'sequence_gap',
          `mutation ${m.seq} arrived but the server applied this device's changes only up to ` +
            `${expected - 1}; nothing was applied`,
          'Send the changes from lastSeq + 1 on, after pulling again.',
          { lastSeq },
        );
      }
      expected += 1;
    }
  }

  /** A mutation applied before: its stored outcome, with the image as it is now. */
  private replayed(datasetId: string, deviceId: string, m: LabelMutation): MutationResult {
    const stored = this.repo.outcome(datasetId, deviceId, m.seq);
    const image = this.repo.image(datasetId, stored?.sha256 ?? m.sha256);
    return {
      seq: m.seq,
      sha256: stored?.sha256 ?? m.sha256,
      outcome: stored?.outcome ?? 'unchanged',
      ...(stored?.conflictId ? { conflictId: stored.conflictId } : {}),
      labels: image?.labels ?? m.labels,
      revision: image?.revision ?? 0,
    };
  }

  private apply(
    dataset: LiveDataset,
    deviceId: string,
    m: LabelMutation,
    nextRevision: number,
    at: string,
  ): MutationResult {
    const image = this.repo.image(dataset.id, m.sha256);
    const record = (r: MutationResult) => {
      const conflictId = r.conflictId ?? null;
      const stored = { ...r, conflictId, labels: m.labels, baseRevision: m.baseRevision };
      this.repo.recordOutcome(dataset.id, deviceId, stored, at);
      if (r.outcome !== 'conflict') {
        for (const id of m.resolves ?? []) {
          this.repo.resolveConflict(dataset.id, id, `settled by ${deviceId} #${m.seq}`, at);
        }
      }
      return r;
    };
    const base = { seq: m.seq, sha256: m.sha256 };
    if (image && sameLabels(image.labels, m.labels)) {
      // This device now holds what the server holds: its next edit builds on it.
      this.repo.putImage(dataset.id, image, deviceId);
      return record({
        ...base,
        outcome: 'unchanged',
        labels: image.labels,
        revision: image.revision,
      });
    }
    if (!image || image.revision === m.baseRevision || image.lastDeviceId === deviceId) {
      const info = image ?? m.image;
      const put = { ...info, sha256: m.sha256, labels: m.labels, revision: nextRevision };
      this.repo.putImage(dataset.id, put, deviceId);
      return record({ ...base, outcome: 'applied', labels: m.labels, revision: nextRevision });
    }
    // Both sides changed the image: the server keeps its labels and this edit is kept beside.
    for (const older of this.repo.openConflicts(dataset.id, m.sha256)) {
      if (older.deviceId === deviceId) {
        this.repo.resolveConflict(dataset.id, older.id, `superseded by #${m.seq}`, at);
      }
    }
    const conflictId = this.repo.addConflict(dataset.id, {
      sha256: m.sha256,
      deviceId,
      seq: m.seq,
      baseRevision: m.baseRevision,
      labels: m.labels,
      createdAt: at,
    });
    return record({
      ...base,
      outcome: 'conflict',
      conflictId,
      labels: image.labels,
      revision: image.revision,
    });
  }
}
