/**
 * Batch mode: one model over many images (a dataset in IndexedDB, a folder of photos), one at a
 * time through the inference client, with progress and cancel. Images are fetched lazily (`read`
 * is called when an image's turn comes), so a 2,000-photo dataset never sits in memory at once.
 * Used by model-assisted labeling and by in-browser evaluation (../evaluation).
 */
import type { InferenceClient, RunOptions } from './inference-client';
import { InferenceError, type TaskResult } from './types';

export interface BatchItem<K = string> {
  key: K;
  /** The image's bytes, read only when its turn comes. */
  read(): Promise<Blob>;
}

export interface BatchProgress {
  done: number;
  total: number;
  /** Images whose run failed (their error is in the result). */
  failed: number;
}

export type BatchResult<K> =
  { key: K; ok: true; result: TaskResult } | { key: K; ok: false; error: InferenceError };

export interface BatchOptions<K> extends Omit<RunOptions, 'signal'> {
  signal?: AbortSignal;
  onProgress?(progress: BatchProgress): void;
  /** Called with each image's answer as soon as it is known. */
  onResult?(result: BatchResult<K>): void;
}

/**
 * Runs every item and answers the results in item order. A failed image (undecodable, say) is
 * recorded and the batch goes on; an abort rejects with code 'aborted' after the image in flight.
 */
export async function runBatch<K>(
  client: Pick<InferenceClient, 'run'>,
  items: readonly BatchItem<K>[],
  options: BatchOptions<K> = {},
): Promise<BatchResult<K>[]> {
  const { signal, onProgress, onResult, ...run } = options;
  const results: BatchResult<K>[] = [];
  let failed = 0;
  onProgress?.({ done: 0, total: items.length, failed });
  for (const item of items) {
    if (signal?.aborted) throw new InferenceError('aborted', 'The batch was cancelled.');
    let answer: BatchResult<K>;
    try {
      const blob = await item.read();
      answer = { key: item.key, ok: true, result: await client.run(blob, { ...run, signal }) };
    } catch (error) {
      const wrapped =
        error instanceof InferenceError
          ? error
          : new InferenceError(
              'bad-image',
              `Could not read image ${String(item.key)}: ${String(error)}`,
            );
      if (
        wrapped.code === 'aborted' ||
        wrapped.code === 'disposed' ||
        wrapped.code === 'no-model'
      ) {
        throw wrapped; // the whole batch is over, not just this image
      }
      failed++;
      answer = { key: item.key, ok: false, error: wrapped };
    }
    results.push(answer);
    onResult?.(answer);
    onProgress?.({ done: results.length, total: items.length, failed });
  }
  return results;
}
