import { runBounded } from './bounded-runner';

describe('runBounded', () => {
  it('never runs more than the bound at once, counts failures and reports the end', async () => {
    let inFlight = 0;
    let max = 0;
    const progress: Array<[number, number]> = [];
    const result = await runBounded(
      Array.from({ length: 100 }, (_, i) => i),
      7,
      async (i) => {
        inFlight++;
        max = Math.max(max, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        if (i % 10 === 0) throw new Error('x');
      },
      { now: () => performance.now(), onProgress: (d, t) => progress.push([d, t]) },
    );
    expect(max).toBe(7);
    expect(result).toEqual({ done: 100, failed: 10, maxInFlight: 7 });
    expect(progress[progress.length - 1]).toEqual([100, 100]);
  });

  it('throttles progress to the interval', async () => {
    let t = 0;
    const progress: number[] = [];
    await runBounded([1, 2, 3, 4, 5], 1, async () => void (t += 100), { now: () => t, onProgress: (d) => progress.push(d), progressEveryMs: 250 });
    expect(progress).toEqual([3, 5]);
  });

  it('handles an empty list and rejects a bad bound', async () => {
    await expect(runBounded([], 4, async () => 1, { now: Date.now })).resolves.toEqual({ done: 0, failed: 0, maxInFlight: 0 });
    await expect(runBounded([1], 0, async () => 1, { now: Date.now })).rejects.toThrow(RangeError);
  });
});
