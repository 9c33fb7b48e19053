/**
 * Keeps this device on its channel's model version. On start it loads the stored active version
 * (no network needed), then, on every check (open, a live 'channel' move, the page becoming
 * visible, a retry), compares the channel's pointer with what runs here: a stored version (a
 * rollback) is switched to at once, a new one is downloaded in the background (resumably), its
 * SHA-256 checked off the main thread, stored, and only then switched to. Until a new version is
 * verified, stored and loaded, the old one keeps running; nothing unverified is ever stored.
 * Plain TypeScript with its dependencies passed in; ./model-delivery.svelte.ts wires the real ones.
 */
import type { Channel, ChannelMove, ModelVersion } from '$contract';
import { ApiRequestError, describeError } from '$lib/api/api-error';
import {
  deleteStoredModels,
  getDelivery,
  getStoredModel,
  listStoredModels,
  storeVerifiedModel,
  updateDelivery,
  type ModelRow,
  type StoredModelInfo,
} from '$lib/db/model-store';
import { planDelivery, versionLabel, versionsToPrune } from './delivery-plan';
import { modelFileUrl } from './model-download';
import {
  DownloadInterrupted,
  ResumableDownload,
  type DownloadOptions,
  type DownloadProgress,
} from './resumable-download';

export interface DeliveryState {
  channel: string | null;
  /** The version this device runs. */
  active: StoredModelInfo | null;
  /** What the channel points at, as last heard; null before an answer. */
  channelModel: ModelVersion | null;
  phase: 'idle' | 'checking' | 'downloading' | 'verifying' | 'switching';
  download: (DownloadProgress & { modelId: string }) | null;
  /** What went wrong, that the old model keeps running, and what happens next. */
  error: string | null;
  /** The last switch, for "updated to …". */
  updated: { from: string | null; to: string } | null;
  /** The last check could not reach the server; the stored model keeps running. */
  offline: boolean;
  stored: StoredModelInfo[];
}

export interface FollowerDeps {
  fetchChannel(name: string): Promise<Channel>;
  /** Hex SHA-256, computed off the main thread in the browser. */
  hash(blob: Blob, signal: AbortSignal): Promise<string>;
  /** Loads a verified, stored version into the inference worker; throws if it cannot. */
  activate(model: ModelRow): Promise<void>;
  onState(state: DeliveryState): void;
  /** The network for model files (default: the authorised fetch). */
  fetch?: DownloadOptions['fetch'];
  retryMs?: number;
}

export const RETRY_MS = 30_000;

const info = ({ blob: _blob, ...rest }: ModelRow): StoredModelInfo => rest;

export class ChannelFollower {
  private state: DeliveryState = {
    channel: null,
    active: null,
    channelModel: null,
    phase: 'idle',
    download: null,
    error: null,
    updated: null,
    offline: false,
    stored: [],
  };
  /** Bytes of unfinished downloads, by version id, so the next try resumes. */
  private readonly partial = new Map<string, ResumableDownload>();
  /** Versions not to try again in this tab: they failed to load, or the user cancelled them. */
  private readonly held = new Set<string>();
  private controller: { id: string; abort: AbortController } | null = null;
  private checking: Promise<void> | null = null;
  private again = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly deps: FollowerDeps) {}

  private set(change: Partial<DeliveryState>) {
    this.state = { ...this.state, ...change };
    if (!this.disposed) this.deps.onState(this.state);
  }

  private get runningLabel(): string {
    return this.state.active
      ? `version ${versionLabel(this.state.active)} keeps running`
      : 'no model runs yet';
  }

  /** Loads the stored active version, then checks the channel. */
  async start(): Promise<void> {
    const delivery = await getDelivery();
    const row = delivery.activeModelId ? await getStoredModel(delivery.activeModelId) : undefined;
    this.set({ channel: delivery.channel, stored: await listStoredModels() });
    if (row) {
      try {
        await this.deps.activate(row);
        this.set({ active: info(row) });
      } catch (error) {
        this.set({ error: `The stored model could not be loaded: ${describeError(error)}` });
      }
    }
    await this.check();
  }

  async follow(channel: string | null): Promise<void> {
    this.controller?.abort.abort();
    this.held.clear();
    await updateDelivery({ channel });
    this.set({ channel, channelModel: null, error: null, updated: null });
    await this.check();
  }

  /** A live move: a move away from the version being downloaded stops that download. */
  onMove(move: ChannelMove): void {
    if (move.channel !== this.state.channel) return;
    if (this.controller && this.controller.id !== move.modelId) this.controller.abort.abort();
    void this.check();
  }

  /** Stops the download in progress; its bytes are kept and it resumes on "Download now". */
  cancel(): void {
    if (!this.controller) return;
    this.held.add(this.controller.id);
    this.controller.abort.abort(new DOMException('cancelled by the user', 'AbortError'));
  }

  /** Checks now, also for versions cancelled or refused before. */
  retryNow(): Promise<void> {
    this.held.clear();
    return this.check();
  }

  /** Compares the channel with what runs here and acts; calls made meanwhile run once after. */
  check(): Promise<void> {
    if (this.disposed || !this.state.channel) return Promise.resolve();
    clearTimeout(this.retry);
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        await this.checkOnce().catch((error: unknown) => this.fail(describeError(error)));
      } while (this.again && !this.disposed);
    })().finally(() => {
      this.checking = null;
      this.set({ phase: 'idle' });
    });
    return this.checking;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retry);
    this.controller?.abort.abort();
  }

  private async checkOnce(): Promise<void> {
    const name = this.state.channel;
    if (!name) return;
    this.set({ phase: 'checking' });
    let channel: Channel;
    try {
      channel = await this.deps.fetchChannel(name);
    } catch (error) {
      if (error instanceof ApiRequestError) {
        const what =
          error.status === 404
            ? `Channel ${name} does not exist on the server yet; promote a version to it`
            : describeError(error);
        this.set({ error: `${what}. ${capital(this.runningLabel)}.` });
      } else {
        this.set({ offline: true }); // offline: the stored model is all there is, and enough
      }
      return;
    }
    if (name !== this.state.channel) return; // followed another channel meanwhile
    const stored = await listStoredModels();
    this.set({ offline: false, channelModel: channel.model, stored });
    const step = planDelivery(
      channel.model,
      this.state.active?.id ?? null,
      new Set(stored.map((s) => s.id)),
      this.held,
    );
    if (step.kind === 'current') this.set({ error: null });
    else if (step.kind === 'activate') {
      const row = await getStoredModel(step.modelId);
      if (row) await this.switchTo(row);
    } else if (step.kind === 'download') await this.deliver(step.model);
  }

  private async deliver(model: ModelVersion): Promise<void> {
    const download =
      this.partial.get(model.id) ??
      new ResumableDownload(modelFileUrl(model.id), `"${model.onnxSha256}"`, model.onnxBytes);
    this.partial.set(model.id, download);
    const abort = new AbortController();
    this.controller = { id: model.id, abort };
    const label = versionLabel(model);
    let blob: Blob;
    try {
      this.set({ phase: 'downloading', download: { modelId: model.id, ...download.progress } });
      blob = await download.run({
        signal: abort.signal,
        onProgress: (p) => this.set({ download: { modelId: model.id, ...p } }),
        ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      });
      this.partial.delete(model.id); // whole now: verified or refused, never resumed again
      this.set({ phase: 'verifying' });
      const sha256 = await this.deps.hash(blob, abort.signal);
      if (sha256 !== model.onnxSha256) {
        this.fail(
          `Version ${label} was refused: the downloaded file's SHA-256 (${sha256.slice(0, 12)}…) ` +
            `is not the server's (${model.onnxSha256.slice(0, 12)}…), so it was damaged on the ` +
            `way. Nothing was stored; ${this.runningLabel}.`,
          true,
        );
        return;
      }
    } catch (error) {
      if (abort.signal.aborted) {
        if (this.held.has(model.id)) {
          this.set({ error: `Download of ${label} cancelled; ${this.runningLabel}.` });
        }
        return; // else superseded by a newer move; the next check handles it
      }
      if (!(error instanceof DownloadInterrupted)) this.partial.delete(model.id);
      this.fail(`${describeError(error)} ${capital(this.runningLabel)}.`, true);
      return;
    } finally {
      this.controller = null;
      this.set({ download: null });
    }
    const stored = await storeVerifiedModel({
      id: model.id,
      sha256: model.onnxSha256,
      blob,
      metadata: model.metadata,
      createdAt: model.createdAt,
      name: model.name,
    });
    if (!stored.ok) {
      this.fail(stored.message, true);
      return;
    }
    const row = await getStoredModel(model.id);
    if (row) await this.switchTo(row);
  }

  private async switchTo(row: ModelRow): Promise<void> {
    this.set({ phase: 'switching' });
    try {
      await this.deps.activate(row);
    } catch (error) {
      this.held.add(row.id);
      this.fail(
        `Version ${versionLabel(row)} could not be loaded (${describeError(error)}); ` +
          `${this.runningLabel}.`,
      );
      return;
    }
    const from = this.state.active;
    await updateDelivery({ activeModelId: row.id });
    const all = await listStoredModels();
    await deleteStoredModels(versionsToPrune(all, [row.id, ...(from ? [from.id] : [])]));
    this.set({
      active: info(row),
      error: null,
      updated: { from: from ? versionLabel(from) : null, to: versionLabel(row) },
      stored: await listStoredModels(),
    });
  }

  private fail(message: string, retry = false): void {
    const seconds = Math.round((this.deps.retryMs ?? RETRY_MS) / 1000);
    this.set({ error: retry ? `${message} It retries in ${seconds} s.` : message });
    if (!retry || this.disposed) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.check(), this.deps.retryMs ?? RETRY_MS);
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
