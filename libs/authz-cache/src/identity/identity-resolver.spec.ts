import { createEvent } from '@iam/contracts';
import { AuthzService } from '../authz.service';
import { resolveAuthzOptions, ResolvedAuthzOptions } from '../config/authz-cache.options';
import { AuthzCacheCore } from '../core/authz-cache-core';
import { AuthzMetrics } from '../metrics/authz-metrics';
import type { InvalidationSubscriber } from '../subscription/invalidation-subscriber';
import { InMemoryAuthority } from '../testing/in-memory-authority';
import { IdentityResolver } from './identity-resolver';

const TOKEN = `iam_0123456789abcdef_${'A'.repeat(43)}`;
const ADA = 'user:ada@example.com';

function liveSubscriber(state: { degraded: boolean }): InvalidationSubscriber {
  return {
    cachingEnabled: true,
    get degraded() {
      return state.degraded;
    },
    live: true,
    status: () => undefined,
  } as unknown as InvalidationSubscriber;
}

describe('IdentityResolver (cache partitions)', () => {
  let options: ResolvedAuthzOptions;
  let authority: InMemoryAuthority;
  let core: AuthzCacheCore;

  function service(enabled = true): AuthzService {
    const metrics = new AuthzMetrics({ service: 'turing' });
    return new AuthzService(options, 'turing-test', enabled ? core : null, enabled ? liveSubscriber({ degraded: false }) : null, authority, metrics);
  }

  beforeEach(() => {
    options = resolveAuthzOptions({
      serviceName: 'turing',
      nats: { servers: ['nats://127.0.0.1:4222'] },
      authority: { transport: 'nats', httpUrl: 'http://127.0.0.1:3000', serviceToken: 's' },
      adminToken: 'a',
      consistencyWaitMs: 10,
    });
    // Knows one token and allows everything.
    authority = new InMemoryAuthority();
    authority.knowToken(TOKEN, ADA, '0123456789abcdef');
    core = new AuthzCacheCore({
      loadDecision: (q) => authority.check(q),
      loadIdentity: (token) => authority.resolveIdentity(token),
    });
  });

  it('claims a partition at construction: the default one first, then one per override, never twice', () => {
    const authz = service();
    const a = authz.createIdentityResolver('acme');
    const b = authz.createIdentityResolver();
    expect(authz.identityResolver.partition).toBe(1);
    expect([a.partition, b.partition]).toEqual([2, 3]);
    expect(authz.claimPartition()).toBe(4);
    expect(a.name).toBe('acme');
    expect(b.name).toBe('partition-3');
    expect(authz.identityResolver.name).toBe('default');
  });

  it('shares entries between every holder of one instance', async () => {
    const authz = service();
    const shared = authz.identityResolver;
    await expect(shared.resolve(TOKEN)).resolves.toMatchObject({ principal: ADA });
    await expect(shared.resolve(TOKEN)).resolves.toMatchObject({ principal: ADA });
    // Reads without a partition go through the same (default) partition.
    await authz.resolveIdentity(TOKEN);
    expect(authority.identityCalls).toBe(1);
  });

  it('never serves an entry cached through another partition, for identities and decisions', async () => {
    const authz = service();
    const acme = authz.createIdentityResolver('acme');
    await authz.identityResolver.resolve(TOKEN);
    await authz.identityResolver.check(ADA, 'routers.read', 'projects:42');
    await acme.resolve(TOKEN);
    await acme.check(ADA, 'routers.read', 'projects:42');
    expect([authority.identityCalls, authority.checkCalls]).toEqual([2, 2]);
    await acme.resolve(TOKEN);
    await acme.check(ADA, 'routers.read', 'projects:42');
    expect([authority.identityCalls, authority.checkCalls]).toEqual([2, 2]);
    // An override created later with the same name is another instance: another partition.
    await authz.createIdentityResolver('acme').resolve(TOKEN);
    expect(authority.identityCalls).toBe(3);
  });

  it('applies events to every partition', async () => {
    const authz = service();
    const acme = authz.createIdentityResolver('acme');
    await authz.identityResolver.resolve(TOKEN);
    await acme.resolve(TOKEN);
    core.apply(createEvent({ type: 'token.revoked', revision: 6, actor: 'user:admin@example.com', tags: ['tok:0123456789abcdef'], payload: { tokenId: '0123456789abcdef', principalId: ADA } }));
    authority.revision = 6;
    await authz.identityResolver.resolve(TOKEN);
    await acme.resolve(TOKEN);
    expect(authority.identityCalls).toBe(4);
  });

  it('passes the consistency token on and keeps its own partition whatever the options say', async () => {
    const authz = service();
    const acme = authz.createIdentityResolver('acme');
    await acme.resolve(TOKEN);
    // minRevision ahead of the stream (the core cannot reach 5 within the wait) but reached by the authority: one fresh load.
    await acme.resolve(TOKEN, { minRevision: 5 });
    expect(authority.identityCalls).toBe(2);
    // A partition smuggled through the options is ignored: the fresh answer in acme's partition serves it.
    await acme.resolve(TOKEN, { partition: authz.identityResolver.partition } as never);
    expect(authority.identityCalls).toBe(2);
  });

  it('reads from the authority with the kill switch on, each resolver still with a distinct placeholder partition', async () => {
    const authz = service(false);
    const acme = authz.createIdentityResolver('acme');
    expect(acme).toBeInstanceOf(IdentityResolver);
    expect(acme.partition).not.toBe(authz.identityResolver.partition);
    expect(acme.partition).toBeLessThan(0);
    await acme.resolve(TOKEN);
    await acme.resolve(TOKEN);
    expect(authority.identityCalls).toBe(2);
  });
});
