import { AuthzService } from './authz.service';
import { resolveAuthzOptions, ResolvedAuthzOptions } from './config/authz-cache.options';
import { AuthzCacheCore } from './core/authz-cache-core';
import { MISS } from './core/types';
import { AuthorityUnavailableError, RevisionNotReachedError } from './errors';
import { AuthzMetrics } from './metrics/authz-metrics';
import type { InvalidationSubscriber } from './subscription/invalidation-subscriber';
import { InMemoryAuthority } from './testing/in-memory-authority';

function subscriberState(state: { cachingEnabled: boolean; degraded: boolean }): InvalidationSubscriber {
  return {
    get cachingEnabled() {
      return state.cachingEnabled;
    },
    get degraded() {
      return state.degraded;
    },
    get live() {
      return state.cachingEnabled && !state.degraded;
    },
    status: () => undefined,
  } as unknown as InvalidationSubscriber;
}

describe('AuthzService read policy', () => {
  let options: ResolvedAuthzOptions;
  let authority: InMemoryAuthority;
  let core: AuthzCacheCore;
  let state: { cachingEnabled: boolean; degraded: boolean };

  function service(overrides: Partial<ResolvedAuthzOptions> = {}, withCore = true): AuthzService {
    const metrics = new AuthzMetrics({ service: 'turing' });
    return new AuthzService({ ...options, ...overrides }, 'turing-test', withCore ? core : null, withCore ? subscriberState(state) : null, authority, metrics);
  }

  beforeEach(() => {
    options = resolveAuthzOptions({
      serviceName: 'turing',
      nats: { servers: ['nats://127.0.0.1:4222'] },
      authority: { transport: 'nats', httpUrl: 'http://127.0.0.1:3000', serviceToken: 's' },
      adminToken: 'a',
      consistencyWaitMs: 20,
    });
    authority = new InMemoryAuthority();
    core = new AuthzCacheCore({ loadDecision: (q) => authority.check(q), loadIdentity: (token) => authority.resolveIdentity(token) });
    state = { cachingEnabled: true, degraded: false };
  });

  it('serves repeated checks from the cache once caching is enabled', async () => {
    const authz = service();
    await authz.check('user:a@x', 'r.read', 'p:1');
    await authz.check('user:a@x', 'r.read', 'p:1');
    expect(authority.checks).toHaveLength(1);
  });

  it('asks the authority every time before the subscription was live, and with the kill switch', async () => {
    state.cachingEnabled = false;
    const notLive = service();
    await notLive.check('user:a@x', 'r.read', 'p:1');
    await notLive.check('user:a@x', 'r.read', 'p:1');
    const disabled = service({}, false);
    await disabled.check('user:a@x', 'r.read', 'p:1');
    await disabled.check('user:a@x', 'r.read', 'p:1');
    expect(authority.checks).toHaveLength(4);
    expect(disabled.enabled).toBe(false);
    expect(disabled.stats()).toMatchObject({ enabled: false, cache: null });
  });

  it('answers the synchronous hit reads only where check and resolveIdentity would answer a hit from the cache', async () => {
    const authz = service({ degradedPolicy: 'fail-closed' });
    const token = 'iam_0123456789abcdef_secret';
    authority.knowToken(token, 'user:a@x', '0123456789abcdef');
    expect(authz.checkHit('user:a@x', 'r.read', 'p:1')).toBe(MISS);
    expect(authz.resolveIdentityHit(token)).toBe(MISS);
    const decision = await authz.check('user:a@x', 'r.read', 'p:1');
    const identity = await authz.resolveIdentity(token);
    expect(authz.checkHit('user:a@x', 'r.read', 'p:1')).toEqual(decision);
    expect(authz.resolveIdentityHit(token)).toEqual(identity);
    // A consistency token, degraded under fail-closed, or caching off: the async reads decide, so no hit.
    expect(authz.checkHit('user:a@x', 'r.read', 'p:1', { minRevision: 1 })).toBe(MISS);
    state.degraded = true;
    expect(authz.checkHit('user:a@x', 'r.read', 'p:1')).toBe(MISS);
    expect(authz.resolveIdentityHit(token)).toBe(MISS);
    state.degraded = false;
    state.cachingEnabled = false;
    expect(authz.checkHit('user:a@x', 'r.read', 'p:1')).toBe(MISS);
    expect(service({}, false).checkHit('user:a@x', 'r.read', 'p:1')).toBe(MISS);
    expect(authority.checks).toHaveLength(1);
  });

  it('skips the cache while degraded under fail-closed', async () => {
    const authz = service({ degradedPolicy: 'fail-closed' });
    await authz.check('user:a@x', 'r.read', 'p:1');
    state.degraded = true;
    await authz.check('user:a@x', 'r.read', 'p:1');
    expect(authority.checks).toHaveLength(2);
  });

  it('reloads through the cache when the stream does not reach the token in time, and keeps the newer answer', async () => {
    const authz = service();
    await authz.check('user:a@x', 'r.read', 'p:1');
    authority.allowed = false;
    authority.revision = 9;
    expect(await authz.check('user:a@x', 'r.read', 'p:1', { minRevision: 9 })).toMatchObject({ allowed: false, revision: 9 });
    // Later reads without a token never go back to the older answer.
    expect(await authz.check('user:a@x', 'r.read', 'p:1')).toMatchObject({ allowed: false, revision: 9 });
    expect(authority.checks).toHaveLength(2);
  });

  it('answers a token the authority has not reached with REVISION_NOT_REACHED after one authority call, never retried', async () => {
    const authz = service();
    await authz.check('user:a@x', 'r.read', 'p:1');
    authority.revision = 9;
    authority.lagging = true;
    // The fresh load answers revision 8: the token (9) is beyond what the authority has, at once.
    await expect(authz.check('user:a@x', 'r.read', 'p:1', { minRevision: 9 })).rejects.toBeInstanceOf(RevisionNotReachedError);
    expect(authority.checks.map((c) => c.atLeastRevision)).toEqual([undefined, undefined]);
  });

  it('surfaces REVISION_NOT_REACHED from a direct call at once (no retries), and an unreachable authority at once', async () => {
    const authz = service({}, false);
    authority.notReachedTimes = 100;
    await expect(authz.check('user:a@x', 'r.read', 'p:1', { minRevision: 99 })).rejects.toBeInstanceOf(RevisionNotReachedError);
    expect(authority.checks).toHaveLength(1);
    authority.notReachedTimes = 0;
    authority.down = true;
    await expect(authz.check('user:a@x', 'r.read', 'p:2')).rejects.toBeInstanceOf(AuthorityUnavailableError);
  });

  it('serves from the cache once the stream reaches the token within the wait', async () => {
    const authz = service({ consistencyWaitMs: 5_000 });
    await authz.check('user:a@x', 'r.read', 'p:1');
    const pending = authz.check('user:a@x', 'r.read', 'p:1', { minRevision: 7 });
    core.advanceRevision(7);
    await expect(pending).resolves.toMatchObject({ allowed: true });
    expect(authority.checks).toHaveLength(1);
  });

  it('keeps partitions apart', async () => {
    const authz = service();
    const other = authz.claimPartition();
    await authz.check('user:a@x', 'r.read', 'p:1');
    await authz.check('user:a@x', 'r.read', 'p:1', { partition: other });
    expect(authority.checks).toHaveLength(2);
  });
});
