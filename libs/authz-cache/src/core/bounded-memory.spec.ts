import { AuthzCacheCore } from './authz-cache-core';
import type { CheckResult } from '@iam/contracts';

describe('AuthzCacheCore bounds', () => {
  // Thirty times the capacity is enough to prove eviction cleans the index; million-entry runs belong in bench/.
  it('index and entries stay bounded together: 60k inserts into a 2k cache', async () => {
    const TAGS_PER_ENTRY = 4; // p:, g:, pol:, r: (the r: tag has 2 segments -> 2 slots)
    const SLOTS_PER_ENTRY = TAGS_PER_ENTRY + 1;
    const core = new AuthzCacheCore({
      // Synchronous-looking loader: resolved promises keep 1M loads fast.
      loadDecision: (query) =>
        Promise.resolve<CheckResult>({
          allowed: true,
          revision: 1,
          tags: [`p:${query.principal}`, `g:group:${query.principal}`, `pol:pol_${query.principal}`, `r:${query.resource}`],
        }),
      loadIdentity: async () => null,
      maxDecisions: 2_000,
    });
    const BATCH = 1_000; // below the capacity: an in-flight load evicted before it settles would be retried
    for (let i = 0; i < 60_000; i += BATCH) {
      const reads: Array<Promise<unknown>> = [];
      for (let j = i; j < i + BATCH; j++) reads.push(core.check(1, { principal: `user:${j}`, action: 'a', resource: `projects:${j}` }));
      await Promise.all(reads);
    }
    const stats = core.stats();
    expect(stats.decisionEntries).toBe(2_000);
    expect(stats.misses).toBe(60_000);
    // Every distinct tag in the index belongs to a live entry: no empty sets, no slots of evicted entries.
    expect(stats.tagIndexSize).toBeLessThanOrEqual(2_000 * SLOTS_PER_ENTRY);
    const index = (core as unknown as { decisions: { index: { slots: number; keyCount: number } } }).decisions.index;
    expect(index.keyCount).toBe(2_000);
    expect(index.slots).toBe(2_000 * SLOTS_PER_ENTRY);
  }, 60_000);
});
