import {
  isLabelMutation,
  type ClassMutation,
  type DatasetManifest,
  type RemoveMutation,
  type SyncMutation,
  type DeviceSyncState,
  type LabelChanges,
  type LabelConflict,
  type LabelMutation,
  type LabelPush,
  type LabelPushResult,
  type LiveDatasetSummary,
  type LiveLabels,
  type MutationResult,
} from '../contract';
import { AppError } from '../http/app-error';
import type {
  LabelSyncRepository,
  LiveDataset,
  StoredImage,
} from '../repositories/label-sync.repository';
import type { Clock } from './clock';
import type { DatasetService } from './dataset.service';
import { applyClassOp, mapLabels, resolveName } from './label-sync-classes';

const sameLabels = (a: LiveLabels, b: LiveLabels) =>
  JSON.stringify([a.boxes, a.polygons, a.imageClass, a.split ?? null]) ===
  JSON.stringify([b.boxes, b.polygons, b.imageClass, b.split ?? null]);

const noLabels: LiveLabels = { boxes: [], polygons: [], imageClass: null };

const unknownDataset = (id: string) =>
  new AppError(
    404,
    'not_found',
    `the server has no live dataset ${id}`,
    'Sync the dataset from the device that has it first.',
  );

/** The live dataset as one push changes it. */
type PushState = LiveDataset & { deviceId: string; at: string };

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
      const lastSeq = this.repo.lastSeq(datasetId, p.deviceId);
      this.assertNoGap(p.mutations, lastSeq);
      const state: PushState = { ...dataset, deviceId: p.deviceId, at };
      const results = p.mutations.map((m) =>
        m.seq <= lastSeq ? this.replayed(state, m) : this.apply(state, m, p.classes),
      );
      const newest = Math.max(lastSeq, ...p.mutations.map((m) => m.seq));
      this.repo.setLastSeq(datasetId, p.deviceId, newest, at);
      this.repo.updateDataset(datasetId, state, at);
      const { revision, classes, classVersion } = state;
      return { lastSeq: newest, revision, classes, classVersion, results };
    });
  }

  /** The live datasets a device can join (docs/sync-protocol.md, Joining). */
  list(): LiveDatasetSummary[] {
    return this.repo.datasets();
  }

  /**
   * Renames the live dataset (a device renamed its copy). Sealed versions keep the name they
   * were sealed under; devices that joined see the new one in the list of live datasets.
   */
  rename(datasetId: string, name: string): LiveDatasetSummary {
    return this.repo.transaction(() => {
      this.require(datasetId);
      this.repo.renameDataset(datasetId, name, this.clock.now().toISOString());
      return this.repo.datasets().find((d) => d.datasetId === datasetId)!;
    });
  }

  changes(datasetId: string, since: number): LabelChanges {
    return this.repo.transaction(() => {
      const d = this.require(datasetId);
      const changed = this.repo.imagesSince(datasetId, since);
      return {
        datasetId,
        name: d.name,
        task: d.task,
        classes: d.classes,
        classVersion: d.classVersion,
        revision: d.revision,
        images: changed
          .filter((i) => !i.removed)
          .map(({ sha256, fileName, width, height, labels, revision }) => ({
            ...{ sha256, fileName, width, height, labels, revision },
          })),
        removed: changed.filter((i) => i.removed).map((i) => i.sha256),
        conflicts: this.repo.countOpenConflicts(datasetId),
      };
    });
  }

  conflicts(datasetId: string): LabelConflict[] {
    return this.repo.transaction(() => {
      const { classes } = this.require(datasetId);
      return this.repo.openConflicts(datasetId).map((c) => {
        const current = this.repo.image(datasetId, c.sha256)!;
        return {
          ...c,
          fileName: current.fileName,
          width: current.width,
          height: current.height,
          currentLabels: current.labels,
          currentRevision: current.revision,
          currentRemoved: current.removed,
          classes,
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
      images: this.live(datasetId).map((i) => ({
        sha256: i.sha256,
        fileName: i.fileName,
        width: i.width,
        height: i.height,
        boxes: i.labels.boxes,
        ...(i.labels.polygons.length ? { polygons: i.labels.polygons } : {}),
        ...(i.labels.imageClass !== null ? { imageClass: i.labels.imageClass } : {}),
        ...(i.labels.split ? { split: i.labels.split } : {}),
      })),
    };
    return this.datasets.seal(this.datasets.check(manifest, 'live dataset'));
  }

  private require(datasetId: string): LiveDataset {
    const d = this.repo.dataset(datasetId);
    if (!d) throw unknownDataset(datasetId);
    return d;
  }

  private live(datasetId: string) {
    return this.repo.imagesSince(datasetId, 0).filter((i) => !i.removed);
  }

  private create(id: string, p: LabelPush, at: string): LiveDataset {
    const d = { id, name: p.name, task: p.task, classes: p.classes };
    this.repo.createDataset(d, at);
    return { ...d, revision: 0, classVersion: 0 };
  }

  /** Mutations must continue the device's numbering with no hole; the client re-pulls if not. */
  private assertNoGap(mutations: SyncMutation[], lastSeq: number) {
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
  private replayed(state: PushState, m: SyncMutation): MutationResult {
    const stored = this.repo.outcome(state.id, state.deviceId, m.seq);
    const kind = stored?.kind ?? m.kind ?? 'labels';
    const outcome = stored?.outcome ?? 'unchanged';
    if (kind === 'class') return { seq: m.seq, kind, outcome, labels: noLabels, revision: 0 };
    const sha256 = stored?.sha256 ?? ('sha256' in m ? m.sha256 : '');
    const image = this.repo.image(state.id, sha256);
    return {
      seq: m.seq,
      kind,
      sha256,
      outcome,
      ...(stored?.conflictId ? { conflictId: stored.conflictId } : {}),
      labels: image?.labels ?? noLabels,
      revision: image?.revision ?? 0,
      ...(image?.removed ? { removed: true } : {}),
    };
  }

  private apply(state: PushState, m: SyncMutation, pushClasses: string[]): MutationResult {
    if (isLabelMutation(m)) return this.applyLabels(state, m, pushClasses);
    if (m.kind === 'remove') return this.applyRemove(state, m);
    return this.applyClass(state, m);
  }

  /** Stores the outcome (replays are answered from it) and settles what the mutation resolves. */
  private record(
    state: PushState,
    r: MutationResult,
    m: { seq: number; baseRevision?: number; resolves?: number[] },
    payload: unknown,
  ): MutationResult {
    const stored = {
      ...r,
      sha256: r.sha256 ?? '',
      conflictId: r.conflictId ?? null,
      baseRevision: m.baseRevision ?? 0,
      payload,
    };
    this.repo.recordOutcome(state.id, state.deviceId, stored, state.at);
    if (r.outcome !== 'conflict') {
      for (const id of m.resolves ?? []) {
        this.repo.resolveConflict(state.id, id, `settled by ${state.deviceId} #${r.seq}`, state.at);
      }
    }
    return r;
  }

  /** Other devices' class changes since the device's view of the list, oldest first. */
  private othersOps(state: PushState, since: number | undefined) {
    if (since === undefined) return [];
    return this.repo
      .classOpsSince(state.id, since)
      .filter((o) => o.deviceId !== state.deviceId)
      .map((o) => o.op);
  }

  private addClassOp(state: PushState, op: ClassMutation['op']) {
    state.classVersion += 1;
    this.repo.addClassOp(
      state.id,
      { version: state.classVersion, deviceId: state.deviceId, op },
      state.at,
    );
  }

  /**
   * The device's labels in the server's class numbering: each class by name, followed through
   * what other devices renamed, merged or deleted since. A class the server lacks (deleted
   * meanwhile, or never seen) is added back, so no label is dropped.
   */
  private translate(state: PushState, m: LabelMutation, pushClasses: string[]): LiveLabels {
    const classes = m.classes ?? pushClasses;
    const ops = this.othersOps(state, m.classVersion);
    return mapLabels(m.labels, (c) => {
      const name = classes[c]!;
      const resolved = resolveName(name, ops) ?? name;
      if (!state.classes.includes(resolved)) {
        state.classes = [...state.classes, resolved];
        this.addClassOp(state, { type: 'add', name: resolved });
      }
      return state.classes.indexOf(resolved);
    });
  }

  private applyLabels(state: PushState, m: LabelMutation, pushClasses: string[]): MutationResult {
    const image = this.repo.image(state.id, m.sha256);
    const labels = this.translate(state, m, pushClasses);
    const base = { seq: m.seq, kind: 'labels' as const, sha256: m.sha256 };
    const record = (r: MutationResult) => this.record(state, r, m, m.labels);
    if (image && !image.removed && sameLabels(image.labels, labels)) {
      // This device now holds what the server holds: its next edit builds on it.
      this.repo.putImage(state.id, image, state.deviceId);
      return record({ ...base, outcome: 'unchanged', labels, revision: image.revision });
    }
    if (!image || this.fresh(state, image, m)) {
      state.revision += 1;
      const { fileName, width, height } = image ?? m.image;
      const at = { revision: state.revision, editRevision: state.revision, removed: false };
      const put = { fileName, width, height, sha256: m.sha256, labels, ...at };
      this.repo.putImage(state.id, put, state.deviceId);
      return record({ ...base, outcome: 'applied', labels, revision: state.revision });
    }
    // Both sides changed the image: the server keeps its labels and this edit is kept beside.
    for (const older of this.repo.openConflicts(state.id, m.sha256)) {
      if (older.deviceId === state.deviceId) {
        this.repo.resolveConflict(state.id, older.id, `superseded by #${m.seq}`, state.at);
      }
    }
    const conflictId = this.repo.addConflict(state.id, {
      sha256: m.sha256,
      deviceId: state.deviceId,
      seq: m.seq,
      baseRevision: m.baseRevision,
      labels,
      createdAt: state.at,
    });
    return record({
      ...base,
      outcome: 'conflict',
      conflictId,
      labels: image.labels,
      revision: image.revision,
      ...(image.removed ? { removed: true } : {}),
    });
  }

  /** Whether the edit builds on what the server holds (else the two edits conflict). */
  private fresh(state: PushState, image: StoredImage, m: LabelMutation): boolean {
    if (image.removed) return this.restores(state, image.revision, m);
    return m.baseRevision >= image.editRevision || image.lastDeviceId === state.deviceId;
  }

  /**
   * An edit brings a removed image back when its device saw the removal, never saw the image
   * (imported it again), or settles that image's conflict; otherwise it is a conflict.
   */
  private restores(state: PushState, removedAt: number, m: LabelMutation): boolean {
    if (m.baseRevision === 0 || m.baseRevision >= removedAt) return true;
    const open = new Set(this.repo.openConflicts(state.id, m.sha256).map((c) => c.id));
    return (m.resolves ?? []).some((id) => open.has(id));
  }

  /**
   * Removes the image. An edit the removing device had not seen is not dropped with it: it is
   * kept as a conflict on the removed image, which can bring the image back.
   */
  private applyRemove(state: PushState, m: RemoveMutation): MutationResult {
    const image = this.repo.image(state.id, m.sha256);
    const base = { seq: m.seq, kind: 'remove' as const, sha256: m.sha256, removed: true };
    if (!image || image.removed) {
      const r = { ...base, labels: image?.labels ?? noLabels, revision: image?.revision ?? 0 };
      return this.record(state, { ...r, outcome: 'unchanged' }, m, null);
    }
    if (image.editRevision > m.baseRevision && image.lastDeviceId !== state.deviceId) {
      this.repo.addConflict(state.id, {
        sha256: m.sha256,
        deviceId: image.lastDeviceId,
        seq: this.repo.lastAppliedSeq(state.id, image.lastDeviceId, m.sha256),
        baseRevision: image.editRevision,
        labels: image.labels,
        createdAt: state.at,
      });
    }
    state.revision += 1;
    const put = { ...image, revision: state.revision, editRevision: state.revision, removed: true };
    this.repo.putImage(state.id, put, state.deviceId);
    const r = { ...base, outcome: 'applied' as const, labels: image.labels };
    return this.record(state, { ...r, revision: state.revision }, m, null);
  }

  /** Applies a class change to the list, and relabels the live images and open conflicts. */
  private applyClass(state: PushState, m: ClassMutation): MutationResult {
    const ops = this.othersOps(state, m.classVersion);
    const change = applyClassOp(state.classes, m.op, (n) => resolveName(n, ops));
    const base = { seq: m.seq, kind: 'class' as const, labels: noLabels };
    if (!change) {
      return this.record(
        state,
        { ...base, outcome: 'unchanged', revision: state.revision },
        m,
        m.op,
      );
    }
    state.classes = change.classes;
    this.addClassOp(state, change.op);
    const map = change.map;
    if (map) {
      for (const image of this.live(state.id)) {
        const labels = mapLabels(image.labels, map);
        if (sameLabels(labels, image.labels)) continue;
        state.revision += 1;
        this.repo.relabelImage(state.id, image.sha256, labels, state.revision);
      }
      for (const c of this.repo.openConflicts(state.id)) {
        this.repo.relabelConflict(state.id, c.id, mapLabels(c.labels, map));
      }
    }
    return this.record(state, { ...base, outcome: 'applied', revision: state.revision }, m, m.op);
  }
}
