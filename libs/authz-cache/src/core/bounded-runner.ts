/** Outcome of {@link runBounded}. */
export interface BoundedRunResult {
  done: number;
  failed: number;
  /** Highest number of tasks that ran at once. */
  maxInFlight: number;
}

/**
 * Runs `work` over `items` with never more than `concurrency` in flight,
 * reporting `onProgress(done, total)` at most every `progressEveryMs` (and
 * once at the end). Failures are counted, not thrown.
 */
export async function runBounded<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<unknown>,
  options: { onProgress?: (done: number, total: number) => void; now: () => number; progressEveryMs?: number },
): Promise<BoundedRunResult> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  const every = options.progressEveryMs ?? 250;
  let next = 0;
  let done = 0;
  let failed = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let lastProgress = options.now();

  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      try {
        await work(item);
      } catch {
        failed++;
      } finally {
        inFlight--;
        done++;
      }
      if (options.onProgress) {
        const now = options.now();
        if (now - lastProgress >= every && done < items.length) {
          lastProgress = now;
          options.onProgress(done, items.length);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  options.onProgress?.(done, items.length);
  return { done, failed, maxInFlight };
}
