// What the dataset grid asks for each cell's picture: the stored thumbnail, or, for an image
// stored without one (a pulled dataset, data from before thumbnails existed), one made now in
// the import worker from the stored photo and kept, so it is made once. Two at a time, in the
// order asked; a cell that scrolled away before its turn is skipped.
import { getImageBlob, getThumbnail } from '$lib/db/datasets';
import { storeThumbnail } from '$lib/db/thumbnails';
import { thumbnailInWorker } from './image-import';

const CONCURRENCY = 2;
const making = new Map<string, Promise<Blob | undefined>>();
const waiting: (() => void)[] = [];
let running = 0;

async function turn(): Promise<void> {
  if (running < CONCURRENCY) {
    running++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

async function backfill(sha256: string, signal?: AbortSignal): Promise<Blob | undefined> {
  await turn();
  try {
    if (signal?.aborted) return undefined;
    const photo = await getImageBlob(sha256);
    if (!photo) return undefined;
    const thumbnail = await thumbnailInWorker(photo);
    if (thumbnail) await storeThumbnail(sha256, thumbnail);
    return thumbnail;
  } finally {
    release();
  }
}

export async function gridThumbnail(
  sha256: string,
  signal?: AbortSignal,
): Promise<Blob | undefined> {
  const stored = await getThumbnail(sha256);
  if (stored) return stored;
  let made = making.get(sha256);
  if (!made) {
    made = backfill(sha256, signal)
      .catch(() => undefined) // a photo the worker cannot draw keeps showing its name
      .finally(() => making.delete(sha256));
    making.set(sha256, made);
  }
  return made;
}
