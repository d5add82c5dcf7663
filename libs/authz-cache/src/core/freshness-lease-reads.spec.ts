import { createEvent } from '@iam/contracts';
import { AuthzCacheCore } from './authz-cache-core';
import { answer, ManualClock } from './testing/fake-authority';
import type { DecisionQuery } from './types';

const q = (principal: string, resource = 'projects:1'): DecisionQuery => ({ principal, action: 'routers.read', resource });
const MAX_STALENESS = 5000;

/** A core under a lease, its manual clock, and an authority whose revision and availability the test sets. */
function leased() {
  const clock = new ManualClock(1_000_000);
  const authority = { revision: 1, down: false, calls: 0 };
  const core = new AuthzCacheCore({
    loadDecision: async (query) => {
      authority.calls += 1;
      if (authority.down) throw new Error('authority unreachable');
      return answer(query, authority.revision);
    },
    loadIdentity: async () => null,
    now: clock.now,
    maxStalenessMs: MAX_STALENESS,
  });
  return { core, clock, authority };
}

describe('freshness lease on every read (now - max(loadedAt, freshAsOf) <= maxStalenessMs)', () => {
  it('serves an entry within maxStalenessMs of its load even before any checkpoint', async () => {
    const { core, clock } = leased();
    expect((await core.check(1, q('user:a@x.io'))).source).toBe('miss');
    clock.advance(MAX_STALENESS);
    expect((await core.check(1, q('user:a@x.io'))).source).toBe('hit');
  });

  it('past it, asks the authority (and stores the fresh answer); counts the lapsed read', async () => {
    const { core, clock, authority } = leased();
    await core.check(1, q('user:a@x.io'));
    clock.advance(MAX_STALENESS + 1);
    expect((await core.check(1, q('user:a@x.io'))).source).toBe('miss');
    expect(authority.calls).toBe(2);
    expect(core.stats().leaseLapsed).toBe(1);
    expect((await core.check(1, q('user:a@x.io'))).source).toBe('hit');
    expect(authority.calls).toBe(2);
  });

  it('a renewed lease keeps old entries servable; a lapsed one (process pause) does not, with no event needed', async () => {
    const { core, clock, authority } = leased();
    await core.check(1, q('user:a@x.io'));
    clock.advance(20_000); // past maxStalenessMs, within the soft TTL
    core.renewLease(clock.now() - 100);
    expect((await core.check(1, q('user:a@x.io'))).source).toBe('hit');
    clock.advance(MAX_STALENESS); // a pause: nothing ran, the clock moved
    authority.down = true;
    await expect(core.check(1, q('user:a@x.io'))).rejects.toThrow('authority unreachable');
  });

  it('never serves a soft-stale entry outside the lease either', async () => {
    const clock = new ManualClock(1_000_000);
    let calls = 0;
    const core = new AuthzCacheCore({
      loadDecision: async (query) => {
        calls += 1;
        if (calls > 1) throw new Error('down');
        return answer(query, 1);
      },
      loadIdentity: async () => null,
      now: clock.now,
      softTtlMs: 1000,
      maxStalenessMs: MAX_STALENESS,
    });
    await core.check(1, q('user:a@x.io'));
    clock.advance(MAX_STALENESS + 1);
    await expect(core.check(1, q('user:a@x.io'))).rejects.toThrow('down');
  });

  it('freshAsOf never moves back', () => {
    const { core } = leased();
    core.renewLease(500);
    core.renewLease(100);
    expect(core.freshAsOf).toBe(500);
  });
});

describe('untrusted events (revision integrity)', () => {
  it('a forged revision 10^12 removes its entries but blocks neither caching nor the revision', async () => {
    const { core, authority } = leased();
    authority.revision = 5;
    core.advanceRevision(5);
    await core.check(1, q('user:a@x.io'));
    const forged = createEvent({ type: 'policy.updated', revision: 1e12, actor: 'x', tags: ['p:user:a@x.io'], payload: undefined as never });
    expect(core.applyUntrusted(forged)).toBe(1);
    expect(core.appliedRevision).toBe(5);
    expect((await core.check(1, q('user:a@x.io'))).source).toBe('miss');
    expect((await core.check(1, q('user:a@x.io'))).source).toBe('hit');
    expect(core.stats().guardRejections).toBe(0);
  });

  it('the same event applied as trusted would have blocked caching (why trust matters)', async () => {
    const { core, authority } = leased();
    authority.revision = 5;
    await core.check(1, q('user:a@x.io'));
    core.apply(createEvent({ type: 'policy.updated', revision: 1e12, actor: 'x', tags: ['p:user:a@x.io'], payload: undefined as never }));
    await core.check(1, q('user:a@x.io'));
    expect((await core.check(1, q('user:a@x.io'))).source).not.toBe('hit');
  });

  it('an untrusted event aborts loads in flight (they are not stored)', async () => {
    const { core, authority } = leased();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new AuthzCacheCore({
      loadDecision: async (query) => {
        authority.calls += 1;
        if (authority.calls === 1) await gate;
        return answer(query, 1);
      },
      loadIdentity: async () => null,
    });
    const read = slow.check(1, q('user:a@x.io'));
    await new Promise((resolve) => setImmediate(resolve));
    slow.applyUntrusted({ type: 'policy.updated', tags: ['p:user:a@x.io'] });
    release();
    await read;
    expect(authority.calls).toBe(2);
    void core;
  });
});
