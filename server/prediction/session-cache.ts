/**
 * Keeps the most recently used model sessions (a yolo11n session holds ~50 MB and takes ~1 s to
 * create) and runs one inference at a time per session: onnxruntime already uses every core for
 * one run, so two at once would only slow both down and double the memory for activations.
 */
interface Releasable {
  release(): Promise<void>;
}

interface Entry<S> {
  session: Promise<S>;
  /** The end of this session's line of work; the next call waits for it. */
  tail: Promise<unknown>;
}

const ignore = () => undefined;

export class SessionCache<S extends Releasable> {
  /** Map order is recency: the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry<S>>();

  constructor(
    private readonly capacity: number,
    private readonly open: (key: string) => Promise<S>,
  ) {}

  /** Runs `work` on the key's session (opened on first use) after the calls before it. */
  use<T>(key: string, work: (session: S) => Promise<T>): Promise<T> {
    const entry = this.entries.get(key) ?? this.create(key);
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evict();
    const run = entry.tail.then(async () => work(await entry.session));
    entry.tail = run.then(ignore, ignore);
    return run;
  }

  /** Keys held, least recently used first. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Releases every session once its queued work is done. */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((entry) => this.release(entry)));
  }

  private create(key: string): Entry<S> {
    const entry: Entry<S> = { session: this.open(key), tail: Promise.resolve() };
    // A session that failed to open is forgotten, so the next call tries again.
    entry.session.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry;
  }

  private evict() {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(key);
      void this.release(entry);
    }
  }

  private async release(entry: Entry<S>) {
    await entry.tail;
    const session = await entry.session.catch(ignore);
    await session?.release().catch(ignore);
  }
}
