/**
 * Batch mode: one model over many images (a dataset in IndexedDB, a folder of photos), one at a
 * time through the inference client, with progress and cancel. Images are fetched lazily (`read`
 * is called when an image's turn comes) and items may come a page at a time (`BatchSource`, see
 * ./dataset-batch.ts), so a 2,000-photo dataset never sits in memory at once.
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

export type BatchResult<K> = EachResult<K, TaskResult>;

/** Items read a page at a time: the next page is asked for once the previous one is done. */
export interface BatchSource<K> {
  total: number;
  pages(): AsyncIterable<readonly BatchItem<K>[]>;
}

export interface BatchOptions<K> extends Omit<RunOptions, 'signal'> {
  signal?: AbortSignal;
  /**
   * false: do not keep the answers (the answer is `[]`); `onResult` sees each one. For big
   * batches whose answers are folded as they come (evaluation): segment masks add up.
   */
  collect?: boolean;
  onProgress?(progress: BatchProgress): void;
  /** Called with each image's answer as soon as it is known. */
  onResult?(result: BatchResult<K>): void;
}

/**
 * Runs every item and answers the results in item order. A failed image (undecodable, say) is
 * recorded and the batch goes on; an abort rejects with code 'aborted' after the image in flight.
 */
export function runBatch<K>(
  client: Pick<InferenceClient, 'run'>,
  items: readonly BatchItem<K>[] | BatchSource<K>,
  options: BatchOptions<K> = {},
): Promise<BatchResult<K>[]> {
  const { signal, onProgress, onResult, collect, ...run } = options;
  return runEach(items, (blob) => client.run(blob, { ...run, signal }), {
    ...(signal ? { signal } : {}),
    ...(onProgress ? { onProgress } : {}),
    ...(onResult ? { onResult } : {}),
    ...(collect === undefined ? {} : { collect }),
  });
}

export type EachResult<K, R> =
  { key: K; ok: true; result: R } | { key: K; ok: false; error: InferenceError };

/**
 * runBatch's loop with any work per image (`work` gets the bytes and the item's key): what
 * evaluation uses to send each photo's labels along with it.
 */
export async function runEach<K, R>(
  items: readonly BatchItem<K>[] | BatchSource<K>,
  work: (blob: Blob, key: K) => Promise<R>,
  options: Pick<BatchOptions<K>, 'signal' | 'collect' | 'onProgress'> & {
    onResult?(result: EachResult<K, R>): void;
  } = {},
): Promise<EachResult<K, R>[]> {
  const { signal, onProgress, onResult, collect = true } = options;
  const source = 'pages' in items ? items : arraySource(items);
  const results: EachResult<K, R>[] = [];
  let failed = 0;
  let done = 0;
  onProgress?.({ done: 0, total: source.total, failed });
  for await (const page of source.pages()) {
    for (const item of page) {
      if (signal?.aborted) throw new InferenceError('aborted', 'The batch was cancelled.');
      let answer: EachResult<K, R>;
      try {
        const blob = await item.read();
        answer = { key: item.key, ok: true, result: await work(blob, item.key) };
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
      done++;
      if (collect) results.push(answer);
      onResult?.(answer);
      onProgress?.({ done, total: source.total, failed });
    }
  }
  return results;
}

function arraySource<K>(items: readonly BatchItem<K>[]): BatchSource<K> {
  return {
    total: items.length,
    async *pages() {
      yield items;
    },
  };
}
