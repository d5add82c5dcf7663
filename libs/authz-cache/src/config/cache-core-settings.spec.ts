import { createEvent } from '@iam/contracts';
import { AuthzCacheCore } from '../core/authz-cache-core';
import { answer, ControlledDecisions, ManualClock } from '../core/testing/fake-authority';
import type { DecisionQuery } from '../core/types';
import { AuthzCacheModuleOptions, resolveAuthzOptions } from './authz-cache.options';
import { cacheCoreSettings } from './cache-core-settings';

const base: AuthzCacheModuleOptions = {
  serviceName: 'turing',
  nats: { servers: ['nats://127.0.0.1:4222'] },
  authority: { httpUrl: 'http://127.0.0.1:3000', serviceToken: 'svc-secret' },
  adminToken: 'admin-secret',
};

const denied: DecisionQuery = { principal: 'user:ann@x.io', action: 'routers.delete', resource: 'projects:1' };
const allowed: DecisionQuery = { principal: 'user:ann@x.io', action: 'routers.read', resource: 'projects:1' };

/** A core built the way the module builds it, from module options, on a manual clock. */
function coreFrom(options: Partial<AuthzCacheModuleOptions>, loads: ControlledDecisions, clock = new ManualClock()) {
  const core = new AuthzCacheCore({
    ...cacheCoreSettings(resolveAuthzOptions({ ...base, ...options })),
    loadDecision: loads.load,
    loadIdentity: async () => null,
    now: clock.now,
  });
  return { core, clock, partition: core.claimPartition() };
}

describe('cacheCoreSettings: module options reach the cache core', () => {
  it('negativeTtlMs: a deny is asked again once it is that old, while an allow loaded with it is still a hit', async () => {
    const loads = new ControlledDecisions((query) => answer(query, 1, query.action === allowed.action));
    const { core, clock, partition } = coreFrom({ softTtlMs: 10_000, negativeTtlMs: 1000 }, loads);
    await core.check(partition, denied);
    await core.check(partition, allowed);
    clock.advance(999);
    expect((await core.check(partition, denied)).source).toBe('hit');
    clock.advance(1);
    expect((await core.check(partition, denied)).source).toBe('miss');
    expect((await core.check(partition, allowed)).source).toBe('hit');
    expect(loads.calls.map((call) => call.query.action)).toEqual(['routers.delete', 'routers.read', 'routers.delete']);
  });

  it('negativeTtlMs unset: a deny lives as long as an allow (softTtlMs)', async () => {
    const loads = new ControlledDecisions((query) => answer(query, 1, false));
    const { core, clock, partition } = coreFrom({ softTtlMs: 10_000 }, loads);
    await core.check(partition, denied);
    clock.advance(1000);
    expect((await core.check(partition, denied)).source).toBe('hit');
  });

  it('maxTagRevisions: past it the oldest tag becomes the floor, and an answer older than the floor is not cached', async () => {
    const readStale = async (maxTagRevisions: number | undefined) => {
      // A lagging authority replica: every answer reflects revision 0, about a resource no event named.
      const loads = new ControlledDecisions((query) => answer(query, 0));
      const { core, partition } = coreFrom(maxTagRevisions === undefined ? {} : { maxTagRevisions }, loads);
      for (const [revision, tag] of ['r:a', 'r:b', 'r:c'].entries()) {
        core.apply(createEvent({ type: 'resource.deleted', revision: revision + 1, actor: 'test', tags: [tag], payload: { resource: tag.slice(2) } }));
      }
      const query = { ...allowed, resource: 'z' };
      await core.check(partition, query);
      return { core, second: await core.check(partition, query) };
    };

    const bounded = await readStale(2);
    expect(bounded.core.snapshot(0)).toMatchObject({ tagRevisions: [['r:b', 2], ['r:c', 3]], tagRevisionFloor: 1 });
    expect(bounded.second.source).not.toBe('hit');
    expect(bounded.core.stats().guardRejections).toBeGreaterThan(0);

    const byDefault = await readStale(undefined);
    expect(byDefault.core.snapshot(0)).toMatchObject({ tagRevisionFloor: 0 });
    expect(byDefault.core.snapshot(0).tagRevisions).toHaveLength(3);
    expect(byDefault.second.source).toBe('hit');
  });

  it('resourceSegments: decisions are keyed by the first N segments', async () => {
    const loads = new ControlledDecisions((query) => answer(query, 1));
    const { core, partition } = coreFrom({ resourceSegments: 2 }, loads);
    await core.check(partition, { ...allowed, resource: 'projects:1:routers:7' });
    expect((await core.check(partition, { ...allowed, resource: 'projects:1:routers:8' })).source).toBe('hit');
    expect(loads.calls.map((call) => call.query.resource)).toEqual(['projects:1']);
  });
});
