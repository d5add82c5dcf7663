import { AuthzCacheCore } from './authz-cache-core';
import { SnapshotFormatError } from './snapshot-format';
import { answer, ControlledDecisions, identity, ManualClock } from './testing/fake-authority';

describe('AuthzCacheCore rebuild', () => {
  it('flushes, then re-warms the most recently used keys with never more than `concurrency` loads in flight', async () => {
    const loads = new ControlledDecisions(async (query) => {
      await new Promise((r) => setImmediate(r));
      return answer(query, 1);
    });
    const core = new AuthzCacheCore({ loadDecision: loads.load, loadIdentity: async () => null });
    for (let i = 0; i < 200; i++) await core.check(1, { principal: 'user:a@x.io', action: 'a', resource: `r:${i}` });
    loads.maxInFlight = 0;
    const progress: Array<[number, number]> = [];
    const result = await core.rebuild({ topN: 150, concurrency: 8, onProgress: (d, t) => progress.push([d, t]) });
    expect(loads.maxInFlight).toBeLessThanOrEqual(8);
    expect(result).toEqual(expect.objectContaining({ flushed: 200, warmed: 150, failed: 0, maxInFlight: 8 }));
    expect(progress[progress.length - 1]).toEqual([150, 150]);
    expect(core.stats().decisionEntries).toBe(150);
    // The hottest (last used) keys are the ones re-warmed.
    expect((await core.check(1, { principal: 'user:a@x.io', action: 'a', resource: 'r:199' })).source).toBe('hit');
    expect((await core.check(1, { principal: 'user:a@x.io', action: 'a', resource: 'r:10' })).source).toBe('miss');
  });

  it('recentDecisions lists newest first', async () => {
    const core = new AuthzCacheCore({ loadDecision: async (query) => answer(query, 1), loadIdentity: async () => null });
    await core.check(3, { principal: 'user:a@x.io', action: 'x.read', resource: 'a:1' });
    await core.check(4, { principal: 'user:b@x.io', action: 'x.read', resource: 'a:2' });
    expect(core.recentDecisions(5)).toEqual([
      { partition: 4, query: { principal: 'user:b@x.io', action: 'x.read', resource: 'a:2' } },
      { partition: 3, query: { principal: 'user:a@x.io', action: 'x.read', resource: 'a:1' } },
    ]);
    expect(core.recentDecisions(1)).toHaveLength(1);
  });
});

describe('AuthzCacheCore snapshot', () => {
  const token = 'iam_00000000000000aa_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2U';

  it('round-trips entries, tag revisions and the applied revision; TTLs keep counting', async () => {
    const clock = new ManualClock();
    const make = () =>
      new AuthzCacheCore({
        loadDecision: async (query) => answer(query, 3),
        loadIdentity: async () => identity('00000000000000aa', 'user:a@x.io', 3),
        now: clock.now,
        softTtlMs: 1000,
        hardTtlMs: 5000,
        maxTagRevisions: 2,
      });
    const source = make();
    source.advanceRevision(3);
    await source.check(1, { principal: 'user:a@x.io', action: 'a', resource: 'p:1' });
    await source.resolveIdentity(1, token);
    source.apply({ id: '1', type: 'resource.deleted', version: 1, revision: 2, occurredAt: new Date().toISOString(), actor: 't', tags: ['r:zzz', 'r:yyy', 'r:xxx'], payload: { resource: 'z' } });
    clock.advance(4000);
    const snap = JSON.parse(JSON.stringify(source.snapshot(42)));
    expect(snap).toEqual(expect.objectContaining({ format: 1, streamSequence: 42, appliedRevision: 3, tagRevisionFloor: 2 }));

    const target = make();
    target.restore(snap);
    expect(target.appliedRevision).toBe(3);
    expect(target.stats().decisionEntries).toBe(1);
    expect((await target.check(1, { principal: 'user:a@x.io', action: 'a', resource: 'p:1' })).source).toBe('stale');
    expect((await target.resolveIdentity(1, token)).source).toBe('stale');
    clock.advance(1000); // past the hard TTL of the original load
    const other = make();
    other.restore(snap);
    expect(other.stats().decisionEntries).toBe(0);
  });

  it('restore refuses a malformed snapshot with a named field', () => {
    const core = new AuthzCacheCore({ loadDecision: async (query) => answer(query, 1), loadIdentity: async () => null });
    expect(() => core.restore({ format: 2 } as never)).toThrow(SnapshotFormatError);
    let caught: unknown;
    try {
      core.restore({ format: 1, streamSequence: 1, appliedRevision: 1, takenAt: '', decisions: [{ key: 'k' }], identities: [], tagRevisions: [] } as never);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SnapshotFormatError);
    expect((caught as SnapshotFormatError).field).toBe('decisions[0]');
  });
});
