// For label-sync specs: a device with its own IndexedDB that already holds a dataset's images,
// talking to the real server in-process (app.request) through a fetch the test can break.
import { hc } from 'hono/client';
import type { AppType } from '../../../server/app';
import { sha256Of, tinyPng, type TestApi } from '../../../server/testing/test-server';
import { openNamedDb, type LoupeDb } from '$lib/db/database';
import { labelSyncTransport } from './label-sync';

export const imageSha = (n: number) => (n + 1).toString(16).padStart(64, 'a');

export interface TestDevice {
  db: LoupeDb;
  api: ReturnType<typeof hc<AppType>>['api'];
  transport: ReturnType<typeof labelSyncTransport>;
}

/** A fetch that may fail: `before` throws instead of sending, `after` drops the server's answer. */
export type FaultyNetwork = (phase: 'before' | 'after') => void;

/** Image `n` of a dataset with real images: a distinct tiny PNG, and its hash. */
export const realImage = (n: number) => {
  const bytes = tinyPng(100 + n);
  return { bytes, sha256: sha256Of(bytes) };
};

/** Stores the real images on the server, so a device can download them by hash. */
export async function uploadRealImages(t: TestApi, images: number) {
  for (let n = 0; n < images; n++) {
    const { bytes, sha256 } = realImage(n);
    const res = await t.user(`/api/blobs/${sha256}`, { method: 'PUT', body: bytes });
    if (!res.ok) throw new Error(`upload of image ${n} failed: ${res.status}`);
  }
}

/** A device's dataset; `real` images are real PNGs (realImage) instead of made-up hashes. */
export async function addDataset(
  db: LoupeDb,
  datasetId: string,
  images: number,
  classes: string[],
  real = false,
) {
  const now = Date.now();
  await db.datasets.add({
    id: datasetId,
    name: 'cards',
    classes,
    task: 'detect',
    createdAt: now,
    updatedAt: now,
  });
  for (let n = 0; n < images; n++) {
    const bytes = real ? realImage(n).bytes : new Uint8Array([n]);
    const blob = new Blob([bytes], { type: 'image/png' });
    const sha256 = real ? realImage(n).sha256 : imageSha(n);
    await db.images.add({
      sha256,
      blob,
      mimeType: 'image/png',
      width: 640,
      height: 480,
      bytes: blob.size,
      addedAt: now,
    });
    await db.annotations.add({
      datasetId,
      sha256,
      fileName: `${n}.png`,
      boxes: [],
      addedAt: now + n,
      updatedAt: now,
    });
  }
}

export function testDevice(
  t: TestApi,
  dbName: string,
  network: FaultyNetwork = () => {},
): TestDevice {
  const db = openNamedDb(dbName);
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    network('before');
    const response = await t.api.request(input instanceof URL ? input.href : input, init);
    network('after');
    return response;
  };
  const api = hc<AppType>('http://localhost', {
    fetch,
    headers: { authorization: 'Bearer user-token' },
  }).api;
  return { db, api, transport: labelSyncTransport(api) };
}
