/**
 * Runs `run` over `items`, at most `limit` at a time. Staging a blob is mostly waiting on the
 * disk (open, read, write, close, rename), so a few side by side keep it busy where one after
 * another would leave it idle between files.
 *
 * On the first failure no further item is started, every one already started is allowed to
 * settle (so its caller can clean up what it made), and that first error is thrown.
 */
export async function eachInParallel<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      await run(item).catch((error: unknown) => {
        failure ??= { error };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}
