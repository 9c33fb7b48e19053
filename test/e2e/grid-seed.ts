// A big dataset written straight into the page's IndexedDB (one small PNG under many hashes), for
// the grid's end-to-end test and the labeling benchmark: the importer is not what they measure.
import type { Page } from 'playwright-core';

export interface GridSeed {
  count: number;
  name: string;
  classes: string[];
  /** Every how many images one has no labels (the others get one box of each class). */
  unlabeledEvery: number;
}

/** Writes the dataset in one transaction and returns its id. */
export function seedGridDataset(page: Page, seed: GridSeed): Promise<string> {
  return page.evaluate(async ({ count, name, classes, unlabeledEvery }) => {
    const png = await (await fetch('/icons/icon-192.png')).blob();
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('loupe');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const id = crypto.randomUUID();
    const tx = db.transaction(['datasets', 'images', 'annotations'], 'readwrite');
    const now = Date.now();
    tx.objectStore('datasets').put({
      id,
      name,
      classes,
      task: 'detect',
      createdAt: now,
      updatedAt: now,
    });
    const boxes = classes.map((_, classIndex) => ({ classIndex, x: 0.1, y: 0.1, w: 0.5, h: 0.5 }));
    for (let i = 0; i < count; i++) {
      // Hashes in the order added, so the order added and the order of hashes agree.
      const sha256 = i.toString(16).padStart(64, '0');
      const at = now + i;
      const image = { sha256, blob: png, mimeType: 'image/png', width: 192, height: 192 };
      tx.objectStore('images').put({ ...image, bytes: png.size, addedAt: at });
      tx.objectStore('annotations').put({
        datasetId: id,
        sha256,
        fileName: `card-${i}.png`,
        boxes: i % unlabeledEvery === 0 ? [] : boxes,
        addedAt: at,
        updatedAt: at,
      });
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
    return id;
  }, seed);
}
