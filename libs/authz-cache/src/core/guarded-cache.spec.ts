import { EntryFacts } from './cache-entry';
import { GuardedCache, GuardedCacheOptions } from './guarded-cache';
import { TagRevisions } from './tag-revisions';
import { MISS } from './types';
import { deferred, Deferred, ManualClock, settle } from './testing/fake-authority';

/** What the test loader answers: a value with the facts the cache reads from it. */
interface Answer {
  value: string;
  revision: number;
  tags: string[];
  negative?: boolean;
  /** Wall time the value stops holding (an identity's expiry). */
  validUntil?: number;
}

const EXPIRED: Answer = { value: 'expired', revision: 0, tags: [] };

/**
 * A loader whose answers the test gives when it wants: `calls` records each
 * load (context, signal, deferred answer); `auto` answers at once.
 */
class Loads {
  readonly calls: Array<{ context: string; signal: AbortSignal; answer: Deferred<Answer> }> = [];
  constructor(private readonly auto?: (context: string, call: number) => Answer | Promise<Answer>) {}
  readonly load = async (context: string, signal: AbortSignal): Promise<Answer> => {
    const answer = deferred<Answer>();
    this.calls.push({ context, signal, answer });
    if (this.auto) answer.resolve(await this.auto(context, this.calls.length));
    return answer.promise;
  };
}

function makeCache(loads: Loads, extra: Partial<GuardedCacheOptions<Answer, string>> = {}) {
  const clock = new ManualClock();
  const revisions = new TagRevisions(1000);
  const state = { applied: 0 };
  const lease = { freshAsOf: -Infinity };
  const cache = new GuardedCache<Answer, string>({
    max: 100,
    softTtlMs: 1000,
    hardTtlMs: 10_000,
    negativeTtlMs: 500,
    load: loads.load,
    facts: (value): EntryFacts => ({ revision: value.revision, tags: value.tags, negative: value.negative === true, validUntil: value.validUntil ?? Infinity }),
    expiredValue: EXPIRED,
    revisions,
    appliedRevision: () => state.applied,
    now: clock.now,
    wallNow: clock.now,
    lease,
    maxStalenessMs: Infinity,
    ...extra,
  });
  return { cache, clock, revisions, state, lease };
}

const ans = (value: string, revision = 1, tags = [`r:${value}`], more: Partial<Answer> = {}): Answer => ({ value, revision, tags, ...more });

describe('GuardedCache', () => {
  it('loads a miss once for every concurrent reader, then answers hits without loading', async () => {
    const loads = new Loads();
    const { cache } = makeCache(loads);
    const reads = [cache.read('k', 'ctx', undefined), cache.read('k', 'other ctx', undefined)];
    const valueOnly = cache.readValue('k', 'ctx', undefined);
    await settle();
    expect(loads.calls.map((call) => call.context)).toEqual(['ctx']);
    loads.calls[0].answer.resolve(ans('a'));
    const [first, second] = await Promise.all(reads);
    expect([first.source, second.source]).toEqual(['miss', 'coalesced']);
    expect((await valueOnly).value).toBe('a');
    expect(await cache.read('k', 'ctx', undefined)).toEqual({ value: ans('a'), source: 'hit' });
    expect(loads.calls).toHaveLength(1);
    expect(cache.counters).toMatchObject({ hits: 1, misses: 1, coalesced: 2 });
    expect(cache.has('k')).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('rejects the readers of a failed load and caches nothing', async () => {
    const loads = new Loads((_context, call) => (call === 1 ? Promise.reject(new Error('authority down')) : ans('a')));
    const { cache } = makeCache(loads);
    await expect(cache.read('k', 'ctx', undefined)).rejects.toThrow('authority down');
    expect((await cache.read('k', 'ctx', undefined)).source).toBe('miss');
  });

  it('serves a soft-stale entry while one background refresh replaces it; never serves past the hard TTL', async () => {
    let revision = 1;
    const loads = new Loads(() => ans('a', revision));
    const { cache, clock } = makeCache(loads);
    await cache.read('k', 'ctx', undefined);
    clock.advance(1000);
    revision = 2;
    const stale = await Promise.all([cache.read('k', 'ctx', undefined), cache.read('k', 'ctx', undefined)]);
    expect(stale.map((read) => [read.source, read.value.revision])).toEqual([
      ['stale', 1],
      ['stale', 1],
    ]);
    await settle();
    expect(loads.calls).toHaveLength(2);
    expect(await cache.read('k', 'ctx', undefined)).toEqual({ value: ans('a', 2), source: 'hit' });
    clock.advance(10_000);
    revision = 3;
    expect(await cache.read('k', 'ctx', undefined)).toEqual({ value: ans('a', 3), source: 'miss' });
  });

  it('caps both TTLs of a negative answer at negativeTtlMs', async () => {
    const loads = new Loads(() => ans('deny', 1, ['r:x'], { negative: true }));
    const { cache, clock } = makeCache(loads);
    await cache.read('k', 'ctx', undefined);
    clock.advance(499);
    expect((await cache.read('k', 'ctx', undefined)).source).toBe('hit');
    clock.advance(1);
    expect((await cache.read('k', 'ctx', undefined)).source).toBe('miss');
  });

  it('answers expiredValue, without loading, once a value is past its validUntil', async () => {
    const loads = new Loads();
    const { cache, clock } = makeCache(loads, { softTtlMs: 60_000, hardTtlMs: 60_000 });
    const read = cache.read('k', 'ctx', undefined);
    await settle();
    loads.calls[0].answer.resolve(ans('identity', 1, ['tok:t'], { validUntil: clock.value + 100 }));
    expect((await read).value.value).toBe('identity');
    clock.advance(100);
    expect((await cache.read('k', 'ctx', undefined)).value).toBe(EXPIRED);
    expect(loads.calls).toHaveLength(1);
  });

  it('maxAgeMs: an entry older than asked is not served; the read awaits a new load', async () => {
    const loads = new Loads(() => ans('a'));
    const { cache, clock } = makeCache(loads);
    await cache.read('k', 'ctx', undefined);
    clock.advance(300);
    expect((await cache.read('k', 'ctx', 500)).source).toBe('hit');
    expect((await cache.read('k', 'ctx', 200)).source).toBe('miss');
  });

  it('the freshness lease: past maxStalenessMs an entry is served only if a checkpoint renewed the lease since', async () => {
    const loads = new Loads(() => ans('a'));
    const { cache, clock, lease } = makeCache(loads, { maxStalenessMs: 100, softTtlMs: 60_000, hardTtlMs: 60_000 });
    await cache.read('k', 'ctx', undefined);
    clock.advance(100);
    expect((await cache.read('k', 'ctx', undefined)).source).toBe('hit');
    clock.advance(1);
    expect((await cache.read('k', 'ctx', undefined)).source).toBe('miss');
    expect(cache.counters.leaseLapsed).toBe(1);
    clock.advance(150);
    lease.freshAsOf = clock.value;
    expect((await cache.read('k', 'ctx', undefined)).source).toBe('hit');
  });

  it('hitValue answers synchronously exactly what readValue would serve as a hit, and MISS for anything else (counting nothing)', async () => {
    const loads = new Loads(() => ans('a'));
    const { cache, clock, lease } = makeCache(loads, { maxStalenessMs: 100, softTtlMs: 60_000, hardTtlMs: 60_000 });
    expect(cache.hitValue('k')).toBe(MISS);
    expect(loads.calls).toHaveLength(0);
    expect(cache.counters).toMatchObject({ hits: 0, misses: 0 });
    await cache.read('k', 'ctx', undefined);
    expect(cache.hitValue('k')).toEqual(ans('a'));
    expect(cache.counters.hits).toBe(1);
    // Past the lease: not a hit, whichever way it is read.
    clock.advance(101);
    expect(cache.hitValue('k')).toBe(MISS);
    expect((await cache.read('k', 'ctx', undefined)).source).toBe('miss');
    lease.freshAsOf = clock.value;
    expect(cache.hitValue('k')).toEqual(ans('a'));
    // Invalidated: gone for the synchronous read too.
    cache.invalidate('r:a', 2);
    expect(cache.hitValue('k')).toBe(MISS);
    expect(cache.counters.hits).toBe(2);
  });

  it('invalidate removes the entries a tag (or an r: prefix of theirs) matches below the revision only', async () => {
    const loads = new Loads((context) => ans(context, 5, [`r:projects:1:${context}`, `p:${context}`]));
    const { cache } = makeCache(loads);
    await cache.read('a', 'routers:7', undefined);
    await cache.read('b', 'routers:8', undefined);
    expect(cache.invalidate('r:projects:1', 5)).toBe(0); // loaded at revision 5: already reflects it
    expect(cache.invalidate('p:routers:7', 6)).toBe(1);
    expect(cache.has('a')).toBe(false);
    expect(cache.invalidate('r:projects:1', 6)).toBe(1);
    expect(cache.size).toBe(0);
    expect(cache.counters.invalidatedEntries).toBe(2);
  });

  it('the revision guard: an answer older than an invalidation recorded during its load is not stored; it is loaded again', async () => {
    const loads = new Loads();
    const { cache, revisions } = makeCache(loads);
    const read = cache.read('k', 'ctx', undefined);
    await settle();
    revisions.record('r:a', 2); // an event applied while the load was in flight
    loads.calls[0].answer.resolve(ans('a', 1));
    await settle();
    expect(loads.calls).toHaveLength(2);
    loads.calls[1].answer.resolve(ans('a', 2));
    expect(await read).toEqual({ value: ans('a', 2), source: 'miss' });
    expect(cache.counters.guardRejections).toBe(1);
    expect((await cache.read('k', 'ctx', undefined)).source).toBe('hit');
  });

  it('an answer refused twice goes, uncached, to the reader that started before the invalidation; the next read loads again', async () => {
    const loads = new Loads();
    const { cache, revisions, state } = makeCache(loads);
    const read = cache.read('k', 'ctx', undefined);
    await settle();
    revisions.record('r:a', 2);
    state.applied = 2;
    loads.calls[0].answer.resolve(ans('a', 1));
    await settle();
    loads.calls[1].answer.resolve(ans('a', 1)); // a lagging authority replica, twice
    expect(await read).toEqual({ value: ans('a', 1), source: 'bypass' });
    expect(cache.counters.guardRejections).toBe(2);
    expect(cache.has('k')).toBe(false);
    const again = cache.read('k', 'ctx', undefined);
    await settle();
    loads.calls[2].answer.resolve(ans('a', 2));
    expect((await again).source).toBe('miss');
  });

  it('an invalidation aborts the refresh of the entry it removes; the late answer is dropped', async () => {
    const loads = new Loads();
    const { cache, clock } = makeCache(loads);
    const first = cache.read('k', 'ctx', undefined);
    await settle();
    loads.calls[0].answer.resolve(ans('a', 1));
    await first;
    clock.advance(1000);
    expect((await cache.read('k', 'ctx', undefined)).source).toBe('stale');
    await settle();
    const refresh = loads.calls[1];
    expect(cache.invalidate('r:a', 2)).toBe(1);
    expect(refresh.signal.aborted).toBe(true);
    refresh.answer.resolve(ans('a', 1));
    await settle();
    expect(cache.has('k')).toBe(false);
  });

  it('a flush during a load makes its answer unstorable (flush epoch): it is loaded again', async () => {
    const loads = new Loads();
    const { cache } = makeCache(loads);
    const read = cache.read('k', 'ctx', undefined);
    await settle();
    expect(cache.flushAll()).toBe(0);
    loads.calls[0].answer.resolve(ans('before flush'));
    await settle();
    loads.calls[1].answer.resolve(ans('after flush'));
    expect((await read).value.value).toBe('after flush');
  });

  it('flushKeys and flushTag drop what they match whatever its revision; delete drops one key uncounted', async () => {
    const loads = new Loads((context) => ans(context, 9));
    const { cache } = makeCache(loads);
    for (const key of ['1:a', '1:b', '2:c']) await cache.read(key, key.slice(2), undefined);
    expect(cache.flushKeys((key) => key.startsWith('1:'))).toBe(2);
    expect(cache.flushTag('r:c')).toBe(1);
    await cache.read('3:d', 'd', undefined);
    cache.delete('3:d');
    expect(cache.size).toBe(0);
    expect(cache.counters.invalidatedEntries).toBe(3);
  });

  it('stays bounded by max, evicting the least recently used (and unindexing it)', async () => {
    const loads = new Loads((context) => ans(context));
    const { cache } = makeCache(loads, { max: 2 });
    await cache.read('a', 'a', undefined);
    await cache.read('b', 'b', undefined);
    await cache.read('a', 'a', undefined);
    await cache.read('c', 'c', undefined);
    expect([...cache.recentKeys()]).toEqual(['c', 'a']);
    expect(cache.invalidate('r:b', 10)).toBe(0);
    expect(cache.index.tagCount).toBeLessThanOrEqual(2);
  });

  describe('invalidating the last entry (lru-cache empties itself then, in O(max))', () => {
    it('leaves nothing visible: size 0, no keys, nothing saved or flushed, and the cache works on', async () => {
      const loads = new Loads((context) => ans(context, 2));
      const { cache } = makeCache(loads);
      await cache.read('only', 'only', undefined);
      expect(cache.invalidate('r:only', 3)).toBe(1);
      expect(cache.size).toBe(0);
      expect([...cache.recentKeys()]).toEqual([]);
      expect(cache.save(() => true)).toEqual([]);
      expect(cache.has('')).toBe(false);
      expect(cache.flushKeys(() => true)).toBe(0);
      expect(cache.flushTag('r:only')).toBe(0);
      expect(cache.counters.invalidatedEntries).toBe(1);
      await cache.read('next', 'next', undefined);
      expect(cache.size).toBe(1);
      expect(await cache.read('next', 'next', undefined)).toEqual({ value: ans('next', 2), source: 'hit' });
      cache.delete('next');
      expect(cache.size).toBe(0);
      expect(cache.flushAll()).toBe(0);
    });

    it('never fills arrays of max slots, however often the sole entry is invalidated', async () => {
      const max = 50_000;
      const { cache } = makeCache(new Loads((context) => ans(context, 1)), { max });
      const fill = jest.spyOn(Array.prototype, 'fill');
      try {
        for (let round = 0; round < 20; round++) {
          await cache.read('only', 'only', undefined);
          fill.mockClear();
          expect(cache.invalidate('r:only', 2)).toBe(1);
          expect(fill.mock.contexts.filter((array) => (array as unknown[]).length >= max)).toEqual([]);
        }
      } finally {
        fill.mockRestore();
      }
    });

    it('keeps a full cache bounded by max and evicts the oldest first', async () => {
      const loads = new Loads((context) => ans(context));
      const { cache } = makeCache(loads, { max: 3 });
      await cache.read('a', 'a', undefined);
      cache.invalidate('r:a', 10);
      for (const key of ['b', 'c', 'd', 'e']) await cache.read(key, key, undefined);
      expect([...cache.recentKeys()]).toEqual(['e', 'd', 'c']);
      expect(cache.size).toBe(3);
    });
  });

  it('save and restore keep ages (TTLs keep counting) and skip expired and guard-refused entries', async () => {
    const loads = new Loads((context) => ans(context, 3));
    const source = makeCache(loads);
    await source.cache.read('fresh', 'fresh', undefined);
    source.clock.advance(800);
    await source.cache.read('newer', 'newer', undefined);
    const saved = source.cache.save(() => true);
    expect(saved.map((entry) => entry.key)).toEqual(['newer', 'fresh']);

    const target = makeCache(new Loads((context) => ans(context, 4)));
    target.clock.value = source.clock.value;
    target.revisions.record('r:newer', 4); // invalidated after the snapshot's answer: refused
    expect(target.cache.restore([...saved, { key: 'old', value: ans('old', 3), loadedAt: source.clock.value - 20_000 }])).toBe(1);
    expect(await target.cache.read('fresh', 'fresh', undefined)).toEqual({ value: ans('fresh', 3), source: 'hit' });
    target.clock.advance(200); // 'fresh' is now 1000 ms old: soft-stale
    expect((await target.cache.read('fresh', 'fresh', undefined)).source).toBe('stale');
    expect(target.cache.has('newer')).toBe(false);
    expect(target.cache.has('old')).toBe(false);
  });
});
