import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ResolvedIdentity } from '@iam/contracts';
import { AuthzCacheModule, AuthzService, CurrentIdentity, IdentityResolver, RequirePermission, UseIdentityResolver } from '@iam/authz-cache';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { CacheApp, startCacheApp, testOptions } from './support/cache-app';
import { StandInAuthority } from '../support/stand-in-authority';

jest.setTimeout(60_000);

const ADA = 'user:ada@example.com';
/** Provider token of the app's per-tenant override resolver. */
const ACME_RESOLVER = Symbol('ACME_RESOLVER');

/** A second route on the module's shared resolver (the routers route of the test app is the first). */
@Controller('projects/:project/switches')
class SwitchesController {
  @Get(':id')
  @RequirePermission('switches.read', 'projects:{project}:switches:{id}')
  get(@Param('id') id: string, @CurrentIdentity() identity: ResolvedIdentity) {
    return { id, principal: identity.principal };
  }
}

/** The same routes for tenant acme, resolved through acme's own resolver (controller-wide). */
@Controller('tenants/acme/projects/:project')
@UseIdentityResolver(ACME_RESOLVER)
class AcmeController {
  @Get('routers/:id')
  @RequirePermission('routers.read', 'projects:{project}:routers:{id}')
  router(@Param('id') id: string, @CurrentIdentity() identity: ResolvedIdentity) {
    return { id, principal: identity.principal };
  }

  @Get('switches/:id')
  @RequirePermission('switches.read', 'projects:{project}:switches:{id}')
  switch(@Param('id') id: string, @CurrentIdentity() identity: ResolvedIdentity) {
    return { id, principal: identity.principal };
  }
}

/** A route naming a resolver token the app never registers (a wiring mistake). */
@Controller('tenants/globex/projects/:project')
class MisconfiguredController {
  @Get('routers')
  @UseIdentityResolver('NOT_REGISTERED')
  @RequirePermission('routers.read', 'projects:{project}')
  misconfigured() {
    return {};
  }
}

describe('AuthzCacheModule: identity resolvers and cache partitions (stand-in authority over real NATS)', () => {
  let nats: NatsTestServer;
  let authority: StandInAuthority;
  let app: CacheApp;

  /** Authority calls since `before`. */
  const callsSince = (before: { check: number; identity: number }) => ({
    identity: authority.calls.identity - before.identity,
    check: authority.calls.check - before.check,
  });

  /** Publishes an event and waits until this app has applied it. */
  const publishAndApply = async (...args: Parameters<StandInAuthority['publish']>) => {
    const { revision } = await authority.publish(...args);
    await waitFor(() => app.authz.stats().appliedRevision >= revision, { description: `revision ${revision} to be applied` });
  };

  beforeAll(async () => {
    nats = await startNatsServer();
    authority = await StandInAuthority.start(nats.connectOptions());
    app = await startCacheApp(testOptions(nats.url), {
      controllers: [SwitchesController, AcmeController],
      providers: [{ provide: ACME_RESOLVER, useFactory: (authz: AuthzService) => authz.createIdentityResolver('acme'), inject: [AuthzService] }],
    });
    await waitFor(() => app.authz.live, { description: 'the subscription to be live' });
  });
  afterAll(async () => {
    await app?.close();
    await authority?.close();
    await nats?.dispose();
  });

  it('gives one shared default resolver and a distinct partition to the override', () => {
    const shared = app.app.get(IdentityResolver);
    const acme = app.app.get<symbol, IdentityResolver>(ACME_RESOLVER);
    expect(shared).toBe(app.authz.identityResolver);
    expect(acme).toBeInstanceOf(IdentityResolver);
    expect(acme.partition).not.toBe(shared.partition);
  });

  it('shares the default resolver between routes: the second route hits the identity cache', async () => {
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', 'projects:42:routers:7');
    authority.allow(ADA, 'switches.read', 'projects:42:switches:7');
    const before = { ...authority.calls };
    expect(await app.get('/projects/42/routers/7', token)).toMatchObject({ status: 200, body: { principal: ADA } });
    expect(callsSince(before)).toEqual({ identity: 1, check: 1 });
    expect(await app.get('/projects/42/switches/7', token)).toMatchObject({ status: 200, body: { principal: ADA } });
    // Another decision (one check call), the same identity entry (no identity call).
    expect(callsSince(before)).toEqual({ identity: 1, check: 2 });
    // What the app injects is that same partition.
    await expect(app.app.get(IdentityResolver).resolve(token)).resolves.toMatchObject({ principal: ADA });
    expect(callsSince(before)).toEqual({ identity: 1, check: 2 });
  });

  it('resolves an override route through its own partition: a miss even though the default partition holds the token', async () => {
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', 'projects:42:routers:7');
    authority.allow(ADA, 'switches.read', 'projects:42:switches:7');
    expect((await app.get('/projects/42/routers/7', token)).status).toBe(200);
    expect((await app.get('/projects/42/routers/7', token)).status).toBe(200);

    const before = { ...authority.calls };
    expect(await app.get('/tenants/acme/projects/42/routers/7', token)).toMatchObject({ status: 200, body: { principal: ADA } });
    // Neither the identity nor the decision cached through the default partition is served here.
    expect(callsSince(before)).toEqual({ identity: 1, check: 1 });
    expect((await app.get('/tenants/acme/projects/42/routers/7', token)).status).toBe(200);
    expect(callsSince(before)).toEqual({ identity: 1, check: 1 });
    // Both acme routes share acme's resolver instance, hence its identity entry.
    expect((await app.get('/tenants/acme/projects/42/switches/7', token)).status).toBe(200);
    expect(callsSince(before)).toEqual({ identity: 1, check: 2 });
    // And the default partition still answers from its own entries.
    expect((await app.get('/projects/42/routers/7', token)).status).toBe(200);
    expect(callsSince(before)).toEqual({ identity: 1, check: 2 });
  });

  it('never serves a deny cached in one partition to another', async () => {
    const { token } = authority.mintToken(ADA);
    expect((await app.get('/projects/42/routers/9', token)).status).toBe(403);
    authority.allow(ADA, 'routers.read', 'projects:42:routers:9');
    // No event yet: the default partition keeps its cached deny; acme asks and gets the allow.
    expect((await app.get('/projects/42/routers/9', token)).status).toBe(403);
    expect((await app.get('/tenants/acme/projects/42/routers/9', token)).status).toBe(200);
  });

  it('busts a revoked token in both partitions', async () => {
    const minted = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', 'projects:42:routers:7');
    expect((await app.get('/projects/42/routers/7', minted.token)).status).toBe(200);
    expect((await app.get('/tenants/acme/projects/42/routers/7', minted.token)).status).toBe(200);

    authority.revokeToken(minted.token);
    const before = { ...authority.calls };
    await publishAndApply('token.revoked', [`tok:${minted.tokenId}`], { tokenId: minted.tokenId, principalId: ADA });
    expect(await app.get('/projects/42/routers/7', minted.token)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await app.get('/tenants/acme/projects/42/routers/7', minted.token)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    // One reload per partition: each had its own entry, and the event removed both.
    expect(callsSince(before)).toEqual({ identity: 2, check: 0 });
  });

  it('applies invalidation tags to every partition', async () => {
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', 'projects:43:routers:1');
    expect((await app.get('/projects/43/routers/1', token)).status).toBe(200);
    expect((await app.get('/tenants/acme/projects/43/routers/1', token)).status).toBe(200);
    authority.deny(ADA, 'routers.read', 'projects:43:routers:1');
    // Both partitions still serve their cached allow...
    expect((await app.get('/projects/43/routers/1', token)).status).toBe(200);
    expect((await app.get('/tenants/acme/projects/43/routers/1', token)).status).toBe(200);

    const before = { ...authority.calls };
    await publishAndApply('resource.deleted', ['r:projects:43'], { resource: 'projects:43' });
    // ...until one event removes the decision from both.
    expect((await app.get('/projects/43/routers/1', token)).status).toBe(403);
    expect((await app.get('/tenants/acme/projects/43/routers/1', token)).status).toBe(403);
    // A resource event leaves identities alone: only the two decisions were reloaded.
    expect(callsSince(before)).toEqual({ identity: 0, check: 2 });
  });

  it('refuses to start when a route names a resolver the app did not register, naming the route and the token', async () => {
    @Module({ imports: [AuthzCacheModule.forRoot(testOptions(nats.url))], controllers: [MisconfiguredController] })
    class MisconfiguredAppModule {}
    const misconfigured = await NestFactory.create(MisconfiguredAppModule, { logger: false });
    const before = { ...authority.calls };
    try {
      await expect(misconfigured.init()).rejects.toThrow(
        /@UseIdentityResolver\(NOT_REGISTERED\) on MisconfiguredController\.misconfigured: no IdentityResolver is registered/,
      );
    } finally {
      await misconfigured.close();
    }
    expect(callsSince(before)).toEqual({ identity: 0, check: 0 });
  });
});
