import { createEvent } from '@iam/contracts';
import { AuthzCacheCore } from './authz-cache-core';
import { answer, ControlledDecisions, settle } from './testing/fake-authority';
import type { DecisionQuery } from './types';

const q = (principal: string, resource = 'projects:1'): DecisionQuery => ({ principal, action: 'routers.read', resource });

async function warmCore(loads = new ControlledDecisions((query) => answer(query, 1))) {
  const core = new AuthzCacheCore({ loadDecision: loads.load, loadIdentity: async () => null });
  for (const p of [1, 2]) for (const who of ['user:a@x.io', 'user:b@x.io']) await core.check(p, q(who));
  return { core, loads };
}

describe('AuthzCacheCore flush', () => {
  it('flush() drops everything', async () => {
    const { core } = await warmCore();
    expect(core.flush()).toBe(4);
    expect(core.stats().decisionEntries).toBe(0);
    expect(core.stats().tagIndexSize).toBe(0);
  });

  it('flush({partition}) drops one partition only', async () => {
    const { core } = await warmCore();
    expect(core.flush({ partition: 1 })).toBe(2);
    expect((await core.check(2, q('user:a@x.io'))).source).toBe('hit');
    expect((await core.check(1, q('user:a@x.io'))).source).toBe('miss');
  });

  it('flush({principal}) drops that principal in every partition', async () => {
    const { core } = await warmCore();
    expect(core.flush({ principal: 'user:a@x.io' })).toBe(2);
    expect((await core.check(1, q('user:b@x.io'))).source).toBe('hit');
    expect((await core.check(2, q('user:a@x.io'))).source).toBe('miss');
  });

  it('cache.flush events apply their scope', async () => {
    const { core } = await warmCore();
    const flush = (payload: object, revision: number) =>
      core.apply(createEvent({ type: 'cache.flush', revision, actor: 't', tags: [], payload: payload as never }));
    expect(flush({ scope: 'principal', principal: 'user:b@x.io' }, 2)).toBe(2);
    expect(flush({ scope: 'partition', partition: 2 }, 3)).toBe(1);
    expect(flush({ scope: 'all' }, 4)).toBe(1);
    expect(core.appliedRevision).toBe(4);
  });

  it('a load in flight during a flush is not stored (aborted, then reloaded)', async () => {
    const loads = new ControlledDecisions();
    const core = new AuthzCacheCore({ loadDecision: loads.load, loadIdentity: async () => null });
    const read = core.check(1, q('user:a@x.io'));
    await settle();
    core.flush();
    expect(loads.calls[0].signal.aborted).toBe(true);
    loads.calls[0].answer.resolve(answer(q('user:a@x.io'), 1));
    await settle();
    expect(loads.calls).toHaveLength(2); // the waiting reader retried
    loads.calls[1].answer.resolve(answer(q('user:a@x.io'), 1));
    expect((await read).source).toBe('miss');
  });

  it('a load in flight during a partition flush is refused at insert and reloaded once', async () => {
    const loads = new ControlledDecisions();
    const core = new AuthzCacheCore({ loadDecision: loads.load, loadIdentity: async () => null });
    const read = core.check(1, q('user:a@x.io'));
    await settle();
    core.flush({ partition: 1 });
    loads.calls[0].answer.resolve(answer(q('user:a@x.io'), 1));
    await settle();
    expect(loads.calls).toHaveLength(2);
    loads.calls[1].answer.resolve(answer(q('user:a@x.io'), 1));
    expect((await read).source).toBe('miss');
    expect((await core.check(1, q('user:a@x.io'))).source).toBe('hit');
  });
});

describe('AuthzCacheCore revisions', () => {
  it('advanceRevision never lowers; waitForRevision resolves on apply, false on timeout', async () => {
    const core = new AuthzCacheCore({ loadDecision: async (query) => answer(query, 1), loadIdentity: async () => null });
    core.advanceRevision(5);
    core.advanceRevision(3);
    expect(core.appliedRevision).toBe(5);
    await expect(core.waitForRevision(5, 0)).resolves.toBe(true);
    const waiting = core.waitForRevision(7, 60_000);
    core.apply(createEvent({ type: 'resource.deleted', revision: 7, actor: 't', tags: ['r:x'], payload: { resource: 'x' } }));
    await expect(waiting).resolves.toBe(true);
    await expect(core.waitForRevision(8, 5)).resolves.toBe(false);
  });
});
