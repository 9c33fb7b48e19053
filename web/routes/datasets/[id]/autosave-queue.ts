// The page's autosave: every label or review change is shown at once and stored in order, one
// write at a time. A draw followed at once by another photo used to race: anything that read the
// image list back from the database (a reload after an import or a class change, undo, the
// review toggle) replaced the list the page shows with rows that did not yet hold the queued
// draw, and the next edit of that image was built on the stale labels and stored over the draw.
// The queue keeps what each queued write will store, and every list read from the database goes
// through `overlay`, so nothing shown and not yet stored is ever dropped.
import type { AnnotationRow } from '$lib/db/database';

export type AutosaveFields = Partial<
  Pick<AnnotationRow, 'boxes' | 'polygons' | 'imageClass' | 'reviewedAt'>
>;

export class AutosaveQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly pending = new Map<string, { fields: AutosaveFields; writes: number }>();
  private count = 0;

  /** `onunsaved` hears the number of writes not yet stored, after each change. */
  constructor(private readonly onunsaved: (unsaved: number) => void = () => {}) {}

  get unsaved(): number {
    return this.count;
  }

  /**
   * Queues `write`, which stores `fields` on image `sha256` (the fields must be the whole of
   * what it sets: `undefined` for a field it clears). Resolves once stored; rejects with the
   * write's error, after which the caller reads back what is stored.
   */
  enqueue(sha256: string, fields: AutosaveFields, write: () => Promise<unknown>): Promise<void> {
    const entry = this.pending.get(sha256) ?? { fields: {}, writes: 0 };
    entry.fields = { ...entry.fields, ...fields };
    entry.writes += 1;
    this.pending.set(sha256, entry);
    this.count += 1;
    this.onunsaved(this.count);
    const done = this.tail.then(write).finally(() => {
      entry.writes -= 1;
      if (entry.writes === 0 && this.pending.get(sha256) === entry) this.pending.delete(sha256);
      this.count -= 1;
      this.onunsaved(this.count);
    });
    this.tail = done.catch(() => {});
    return done.then(() => {});
  }

  /** Resolves when every write queued so far is stored (or failed). */
  idle(): Promise<void> {
    return this.tail.then(() => {});
  }

  /** Rows read from the database, with what queued writes will store put over them. */
  overlay<T extends { sha256: string }>(rows: readonly T[]): T[] {
    if (this.pending.size === 0) return [...rows];
    return rows.map((row) => {
      const entry = this.pending.get(row.sha256);
      return entry ? { ...row, ...entry.fields } : row;
    });
  }
}
