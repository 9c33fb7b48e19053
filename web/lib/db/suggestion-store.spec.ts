import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteDb, getDb } from './database';
import { addImagesToDataset, createDataset, removeImageFromDataset } from './datasets';
import {
  getSuggestions,
  imagesByConfidence,
  putSuggestions,
  type ConfidenceFilter,
  type PageSuggestion,
} from './suggestion-store';

const CLASSES = ['card', 'back', 'sleeve'];
const suggestion = (classIndex: number, confidence: number): PageSuggestion => ({
  classIndex,
  confidence,
  x: 0.1,
  y: 0.1,
  w: 0.2,
  h: 0.2,
});

/** A small deterministic generator (mulberry32), so the compared data set is the same each run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeEach(() => deleteDb());

describe('stored suggestions', () => {
  it('are read back as stored, and an empty list removes the row', async () => {
    const list = [
      suggestion(0, 0.9),
      {
        ...suggestion(2, 0.4),
        points: [
          [0, 0],
          [1, 0],
          [1, 1],
        ] as [number, number][],
      },
    ];
    await putSuggestions('d', 'a', list, CLASSES);
    expect(await getSuggestions('d', 'a', CLASSES)).toEqual(list);
    expect(await getSuggestions('other', 'a', CLASSES)).toEqual([]);
    const row = await getDb().suggestions.get(['d', 'a']);
    expect([row?.best, row?.worst]).toEqual([0.9, 0.4]);

    await putSuggestions('d', 'a', [], CLASSES);
    expect(await getDb().suggestions.count()).toBe(0);
    expect(await getSuggestions('d', 'a', CLASSES)).toEqual([]);
  });

  it('follow their class by name when classes are merged or deleted, and drop a vanished one', async () => {
    await putSuggestions(
      'd',
      'a',
      [suggestion(0, 0.9), suggestion(1, 0.6), suggestion(2, 0.5)],
      CLASSES,
    );
    // "card" merged into "sleeve": "back" moved from 1 to 0, "sleeve" from 2 to 1.
    const after = await getSuggestions('d', 'a', ['back', 'sleeve']);
    expect(after.map((s) => [s.classIndex, s.confidence])).toEqual([
      [0, 0.6],
      [1, 0.5],
    ]);
  });

  it('are gone when their image is removed from the dataset', async () => {
    const dataset = await createDataset('Cards', CLASSES);
    const bytes = Buffer.from('photo');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await addImagesToDataset(dataset.id, [
      {
        sha256,
        blob: new Blob([bytes]),
        fileName: 'p.jpg',
        mimeType: 'image/jpeg',
        width: 4,
        height: 3,
        bytes: 5,
      },
    ]);
    await putSuggestions(dataset.id, sha256, [suggestion(0, 0.7)], CLASSES);
    await removeImageFromDataset(dataset.id, sha256);
    expect(await getSuggestions(dataset.id, sha256, CLASSES)).toEqual([]);
    expect(
      await imagesByConfidence(dataset.id, { which: 'best', side: 'above', threshold: 0 }),
    ).toEqual(new Set());
  });
});

describe('the confidence index', () => {
  it('finds exactly the images whose best or worst suggestion is on the chosen side', async () => {
    const next = random(7);
    const stored = new Map<string, number[]>();
    for (let i = 0; i < 300; i++) {
      const confidences = Array.from(
        { length: 1 + Math.floor(next() * 4) },
        () => Math.round(next() * 100) / 100,
      );
      stored.set(`img${i}`, confidences);
      await putSuggestions(
        'd',
        `img${i}`,
        confidences.map((c) => suggestion(0, c)),
        CLASSES,
      );
    }
    // Another dataset's suggestions never answer for this one.
    await putSuggestions('other', 'elsewhere', [suggestion(0, 0.5)], CLASSES);

    for (const threshold of [0, 0.25, 0.5, 0.73, 1]) {
      for (const which of ['best', 'worst'] as const) {
        for (const side of ['below', 'above'] as const) {
          const filter: ConfidenceFilter = { which, side, threshold };
          const expected = [...stored]
            .filter(([, cs]) => {
              const value = which === 'best' ? Math.max(...cs) : Math.min(...cs);
              return side === 'below' ? value < threshold : value >= threshold;
            })
            .map(([sha]) => sha)
            .sort();
          const found = [...(await imagesByConfidence('d', filter))].sort();
          expect(found, JSON.stringify(filter)).toEqual(expected);
        }
      }
    }
  });

  it('keeps a confidence equal to the threshold on the "at or above" side only', async () => {
    await putSuggestions('d', 'a', [suggestion(0, 0.5)], CLASSES);
    const at = (side: ConfidenceFilter['side']) =>
      imagesByConfidence('d', { which: 'best', side, threshold: 0.5 });
    expect(await at('above')).toEqual(new Set(['a']));
    expect(await at('below')).toEqual(new Set());
  });
});
