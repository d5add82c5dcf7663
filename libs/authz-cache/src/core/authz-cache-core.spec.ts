import { createEvent, IamEvent } from '@iam/contracts';
import { AuthzCacheCore } from './authz-cache-core';
import { AuthzCacheCoreOptions } from './core-options';
import { answer, ControlledDecisions, ManualClock, settle } from './testing/fake-authority';
import type { DecisionQuery } from './types';

const q = (resource = 'projects:42:routers:7', principal = 'user:ann@x.io', action = 'routers.read'): DecisionQuery => ({
  principal,
  action,
  resource,
});

function event(tags: string[], revision: number): IamEvent {
  return createEvent({ type: 'resource.deleted', revision, actor: 'test', tags, payload: { resource: 'x' } });
}

function makeCore(decisions: ControlledDecisions, extra: Partial<AuthzCacheCoreOptions> = {}, clock = new ManualClock()) {
  return new AuthzCacheCore({
    loadDecision: decisions.load,
    loadIdentity: async () => null,
    now: clock.now,
    ...extra,
  });
}

describe('AuthzCacheCore decisions', () => {
  it('single-flight: 100 concurrent checks of one cold key make exactly 1 loader call', async () => {
    const loads = new ControlledDecisions();
    const core = makeCore(loads);
    const p = core.claimPartition();
    const reads = Array.from({ length: 100 }, () => core.check(p, q()));
    await settle();
    expect(loads.calls).toHaveLength(1);
    loads.last().answer.resolve(answer(q(), 1));
    const results = await Promise.all(reads);
    expect(results.every((r) => r.value.allowed)).toBe(true);
    expect(results.filter((r) => r.source === 'miss')).toHaveLength(1);
    expect(results.filter((r) => r.source === 'coalesced')).toHaveLength(99);
    expect((await core.check(p, q())).source).toBe('hit');
    expect(loads.calls).toHaveLength(1);
  });

  it('soft TTL: serves stale and refreshes exactly once in the background', async () => {
    const clock = new ManualClock();
    let revision = 1;
    const loads = new ControlledDecisions((query) => answer(query, revision));
    const core = makeCore(loads, { softTtlMs: 1000, hardTtlMs: 10_000 }, clock);
    await core.check(1, q());
    clock.advance(1500);
    revision = 2;
    const stale = await Promise.all([core.check(1, q()), core.check(1, q()), core.check(1, q())]);
    expect(stale.map((r) => r.source)).toEqual(['stale', 'stale', 'stale']);
    expect(stale[0].value.revision).toBe(1);
    await settle();
    expect(loads.calls).toHaveLength(2);
    const fresh = await core.check(1, q());
    expect(fresh).toEqual({ value: expect.objectContaining({ revision: 2 }), source: 'hit' });
    expect(core.stats().refreshes).toBe(1);
  });

  it('a failed background refresh keeps serving the stale entry until the hard TTL', async () => {
    const clock = new ManualClock();
    let fail = false;
    const loads = new ControlledDecisions((query) => (fail ? Promise.reject(new Error('authority down')) : answer(query, 1)));
    const core = makeCore(loads, { softTtlMs: 1000, hardTtlMs: 5000 }, clock);
    await core.check(1, q());
    fail = true;
    clock.advance(2000);
    expect((await core.check(1, q())).source).toBe('stale');
    await settle();
    expect((await core.check(1, q())).source).toBe('stale');
    clock.advance(3000); // age 5000 = hard TTL
    await expect(core.check(1, q())).rejects.toThrow('authority down');
  });

  it('hard TTL: never serves an entry at or past it', async () => {
    const clock = new ManualClock();
    let revision = 1;
    const loads = new ControlledDecisions((query) => answer(query, revision++));
    const core = makeCore(loads, { softTtlMs: 1000, hardTtlMs: 2000 }, clock);
    await core.check(1, q());
    clock.advance(2000);
    const read = await core.check(1, q());
    expect(read.source).toBe('miss');
    expect(read.value.revision).toBe(2);
  });

  it('caches negative answers (allowed: false) with the negative TTL', async () => {
    const clock = new ManualClock();
    const loads = new ControlledDecisions((query) => answer(query, 1, false));
    const core = makeCore(loads, { softTtlMs: 10_000, hardTtlMs: 60_000, negativeTtlMs: 3000 }, clock);
    expect((await core.check(1, q())).value.allowed).toBe(false);
    expect(await core.check(1, q())).toEqual({ value: expect.objectContaining({ allowed: false }), source: 'hit' });
    clock.advance(3000);
    expect((await core.check(1, q())).source).toBe('miss');
    expect(loads.calls).toHaveLength(2);
  });

  it('a loader rejection on a miss rejects the read and caches nothing', async () => {
    let n = 0;
    const loads = new ControlledDecisions((query) => (n++ === 0 ? Promise.reject(new Error('boom')) : answer(query, 1)));
    const core = makeCore(loads);
    await expect(core.check(1, q())).rejects.toThrow('boom');
    expect((await core.check(1, q())).source).toBe('miss');
  });

  it('partitions never share entries', async () => {
    const loads = new ControlledDecisions((query) => answer(query, 1));
    const core = makeCore(loads);
    const a = core.claimPartition();
    const b = core.claimPartition();
    expect(a).not.toBe(b);
    await core.check(a, q());
    expect((await core.check(b, q())).source).toBe('miss');
    expect(loads.calls).toHaveLength(2);
  });

  it('maxAgeMs (degraded): older entries are not served, the read awaits a fresh load', async () => {
    const clock = new ManualClock();
    let revision = 1;
    const loads = new ControlledDecisions((query) => answer(query, revision++));
    const core = makeCore(loads, {}, clock);
    await core.check(1, q());
    clock.advance(6000);
    expect((await core.check(1, q(), { maxAgeMs: 10_000 })).source).toBe('hit');
    const read = await core.check(1, q(), { maxAgeMs: 5000 });
    expect(read.source).toBe('miss');
    expect(read.value.revision).toBe(2);
  });

  it('maxAgeMs with the loader failing rejects (never serves the old entry)', async () => {
    const clock = new ManualClock();
    let fail = false;
    const loads = new ControlledDecisions((query) => (fail ? Promise.reject(new Error('down')) : answer(query, 1)));
    const core = makeCore(loads, {}, clock);
    await core.check(1, q());
    fail = true;
    clock.advance(6000);
    await expect(core.check(1, q(), { maxAgeMs: 5000 })).rejects.toThrow('down');
  });

  it('resource normalisation shares one entry and asks about the normalised resource', async () => {
    const loads = new ControlledDecisions((query) => answer(query, 1));
    const core = makeCore(loads, { normaliseResource: (r) => r.split(':').slice(0, 2).join(':') });
    await core.check(1, q('projects:42:routers:7'));
    expect((await core.check(1, q('projects:42:routers:8'))).source).toBe('hit');
    expect(loads.calls.map((c) => c.query.resource)).toEqual(['projects:42']);
  });
});

describe('AuthzCacheCore invalidation', () => {
  async function warm(core: AuthzCacheCore, resources: string[], partitions: number[]) {
    for (const p of partitions) for (const r of resources) await core.check(p, q(r));
  }

  it('busts exactly the matching entries in every partition, with r: prefix match', async () => {
    let revision = 1;
    const loads = new ControlledDecisions((query) => answer(query, revision));
    const core = makeCore(loads);
    const resources = ['projects:42', 'projects:42:routers:7', 'projects:420', 'projects:4', 'projects:43:routers:1'];
    await warm(core, resources, [1, 2]);
    revision = 2;
    const removed = core.apply(event(['r:projects:42'], 2));
    expect(removed).toBe(4);
    for (const p of [1, 2]) {
      expect((await core.check(p, q('projects:42'))).source).toBe('miss');
      expect((await core.check(p, q('projects:42:routers:7'))).source).toBe('miss');
      expect((await core.check(p, q('projects:420'))).source).toBe('hit');
      expect((await core.check(p, q('projects:4'))).source).toBe('hit');
      expect((await core.check(p, q('projects:43:routers:1'))).source).toBe('hit');
    }
    expect(core.appliedRevision).toBe(2);
  });

  it('busts by principal, group and policy tags; untouched principals stay', async () => {
    const loads = new ControlledDecisions((query) => answer(query, 1, true, query.principal === 'user:ann@x.io' ? ['g:group:ops', 'pol:pol_0000000000000001'] : []));
    const core = makeCore(loads);
    await core.check(1, q('a', 'user:ann@x.io'));
    await core.check(1, q('a', 'user:bob@x.io'));
    expect(core.apply(event(['g:group:ops'], 2))).toBe(1);
    expect((await core.check(1, q('a', 'user:bob@x.io'))).source).toBe('hit');
    expect(core.apply(event(['p:user:bob@x.io'], 3))).toBe(1);
    expect(core.apply(event(['pol:pol_0000000000000001'], 4))).toBe(0); // ann's entry is already gone
    expect(core.stats().decisionEntries).toBe(0);
  });

  it('re-applying an old event removes nothing loaded at or after its revision', async () => {
    let revision = 5;
    const loads = new ControlledDecisions((query) => answer(query, revision));
    const core = makeCore(loads);
    await core.check(1, q());
    expect(core.apply(event(['r:projects:42'], 3))).toBe(0);
    expect(core.apply(event(['r:projects:42'], 5))).toBe(0);
    revision = 6;
    expect(core.apply(event(['r:projects:42'], 6))).toBe(1);
  });

  it('an invalidation during an in-flight refresh aborts it', async () => {
    const clock = new ManualClock();
    const loads = new ControlledDecisions();
    const core = makeCore(loads, { softTtlMs: 1000 }, clock);
    const first = core.check(1, q());
    await settle();
    loads.last().answer.resolve(answer(q(), 1));
    await first;
    clock.advance(1500);
    expect((await core.check(1, q())).source).toBe('stale');
    await settle();
    const refresh = loads.calls[1];
    expect(refresh.signal.aborted).toBe(false);
    core.apply(event(['p:user:ann@x.io'], 2));
    expect(refresh.signal.aborted).toBe(true);
    refresh.answer.resolve(answer(q(), 1)); // late answer: must not be stored
    await settle();
    const read = core.check(1, q());
    await settle();
    expect(loads.calls).toHaveLength(3);
    loads.last().answer.resolve(answer(q(), 2));
    expect(await read).toEqual({ value: expect.objectContaining({ revision: 2 }), source: 'miss' });
  });

  it('revision guard: an answer loaded before an invalidation but arriving after it is not stored', async () => {
    const loads = new ControlledDecisions();
    const core = makeCore(loads);
    const read = core.check(1, q());
    await settle();
    core.apply(event(['r:projects:42'], 5)); // key not indexed yet: only the guard can catch it
    loads.calls[0].answer.resolve(answer(q(), 4));
    await settle();
    expect(loads.calls).toHaveLength(2); // reloaded once
    loads.calls[1].answer.resolve(answer(q(), 5));
    expect(await read).toEqual({ value: expect.objectContaining({ revision: 5 }), source: 'miss' });
    expect((await core.check(1, q())).source).toBe('hit');
    expect(core.stats().guardRejections).toBe(1);
  });

  it('revision guard: a reload still too old is returned uncached and never stored', async () => {
    const loads = new ControlledDecisions();
    const core = makeCore(loads);
    const read = core.check(1, q());
    await settle();
    core.apply(event(['p:user:ann@x.io'], 9));
    loads.calls[0].answer.resolve(answer(q(), 4));
    await settle();
    loads.calls[1].answer.resolve(answer(q(), 8));
    expect(await read).toEqual({ value: expect.objectContaining({ revision: 8 }), source: 'bypass' });
    const again = core.check(1, q());
    await settle();
    expect(loads.calls).toHaveLength(3);
    loads.calls[2].answer.resolve(answer(q(), 9));
    expect((await again).source).toBe('miss');
  });

  it('unreadable events flush what they could touch, or everything when they name nothing', async () => {
    const loads = new ControlledDecisions((query) => answer(query, 1));
    const core = makeCore(loads);
    await core.check(1, q('a', 'user:ann@x.io'));
    await core.check(1, q('a', 'user:bob@x.io'));
    const base = { id: 'e1', version: 2, occurredAt: new Date().toISOString(), actor: 't' };
    expect(core.applyUnreadable({ ...base, type: 'principal.renamed', revision: 2, tags: [], payload: { principalId: 'user:ann@x.io' } })).toBe(1);
    expect(core.applyUnreadable({ ...base, type: 'x.y', revision: 3, tags: [], payload: {} })).toBe(1);
    expect(core.stats().decisionEntries).toBe(0);
    expect(core.appliedRevision).toBe(3);
  });
});
