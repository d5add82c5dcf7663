import 'reflect-metadata';
import { ExecutionContext, HttpException, Logger } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { CheckResult, formatApiToken, ResolvedIdentity } from '@iam/contracts';
import type { AuthzService } from '../authz.service';
import { tokenDigest, type TokenKeys } from '../core/cache-keys';
import { MISS, type CachePartition, type Miss } from '../core/types';
import { RequirePermission } from '../decorators/require-permission.decorator';
import { UseIdentityResolver } from '../decorators/use-identity-resolver.decorator';
import { AuthorityRateLimitedError, AuthorityUnavailableError, RevisionNotReachedError } from '../errors';
import { IdentityReadOptions, IdentityResolver, PartitionedReads } from '../identity/identity-resolver';
import { AuthzGuard } from './authz.guard';
import { identityOf } from './request-identity';

const ANN_TOKEN = formatApiToken('0123456789abcdef', 'a'.repeat(43));
const ANN: ResolvedIdentity = { principal: 'user:ann@x.io', groups: [], tokenId: '0123456789abcdef', expiresAt: null, revision: 3, tags: ['p:user:ann@x.io'] };
const ACME = Symbol('ACME_RESOLVER');

/**
 * The module's reads, in memory: known tokens, allowed (principal, action,
 * resource) triples, and an error to throw instead, per read. Records every
 * read with its partition and options. `warm`: the synchronous hit reads
 * answer (as fresh cache entries would), except while a read is set to
 * fail (a failing read is never a fresh hit); cold: they answer MISS.
 */
class InMemoryReads implements PartitionedReads {
  constructor(private readonly warm: boolean) {}

  private lastPartition = 0;
  readonly identities = new Map<string, ResolvedIdentity>([[ANN_TOKEN, ANN]]);
  readonly allowed = new Set<string>(['user:ann@x.io routers.read projects:p1:routers:r7']);
  failResolve: Error | null = null;
  failCheck: Error | null = null;
  readonly reads: Array<{ op: 'resolve' | 'check'; partition: CachePartition; minRevision?: number; resource?: string }> = [];
  /** The token digest each synchronous identity read was handed. */
  readonly digests: Array<string | undefined> = [];

  claimPartition(): CachePartition {
    return ++this.lastPartition;
  }

  async resolveIdentity(token: string, opts: IdentityReadOptions & { partition: CachePartition }): Promise<ResolvedIdentity | null> {
    this.reads.push({ op: 'resolve', partition: opts.partition, ...(opts.minRevision !== undefined ? { minRevision: opts.minRevision } : {}) });
    if (this.failResolve) throw this.failResolve;
    return this.identities.get(token) ?? null;
  }

  async check(principal: string, action: string, resource: string, opts: IdentityReadOptions & { partition: CachePartition }): Promise<CheckResult> {
    this.reads.push({ op: 'check', partition: opts.partition, resource, ...(opts.minRevision !== undefined ? { minRevision: opts.minRevision } : {}) });
    if (this.failCheck) throw this.failCheck;
    return { allowed: this.allowed.has(`${principal} ${action} ${resource}`), revision: 3, tags: [] };
  }

  resolveIdentityHit(token: string, opts: IdentityReadOptions & { partition: CachePartition }, keys?: TokenKeys): ResolvedIdentity | null | Miss {
    this.digests.push(keys?.digest);
    if (!this.warm || this.failResolve) return MISS;
    this.reads.push({ op: 'resolve', partition: opts.partition, ...(opts.minRevision !== undefined ? { minRevision: opts.minRevision } : {}) });
    return this.identities.get(token) ?? null;
  }

  checkHit(principal: string, action: string, resource: string, opts: IdentityReadOptions & { partition: CachePartition }): CheckResult | Miss {
    if (!this.warm || this.failCheck) return MISS;
    this.reads.push({ op: 'check', partition: opts.partition, resource, ...(opts.minRevision !== undefined ? { minRevision: opts.minRevision } : {}) });
    return { allowed: this.allowed.has(`${principal} ${action} ${resource}`), revision: 3, tags: [] };
  }
}

class Routes {
  @RequirePermission('routers.read', 'projects:{project}:routers:{id}')
  read(): void {}

  @RequirePermission('routers.read', 'projects:{project}:routers:{id}')
  @UseIdentityResolver(ACME)
  readAsAcme(): void {}

  @RequirePermission('routers.read', 'projects:{project}:routers:{id}')
  @UseIdentityResolver('NOT_REGISTERED')
  readWithMissingResolver(): void {}

  open(): void {}
}

interface TestRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
}

function contextFor(handler: keyof Routes, request: TestRequest): ExecutionContext {
  return {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

const request = (headers: TestRequest['headers'] = { authorization: `Bearer ${ANN_TOKEN}` }, params: Record<string, string> = { project: 'p1', id: 'r7' }): TestRequest => ({
  headers,
  params,
});

/** The guard's answer as a refusal; a refusal must be a rejected promise, never a synchronous throw. */
async function refusal(answer: boolean | Promise<boolean>): Promise<{ status: number; body: unknown }> {
  expect(answer).toBeInstanceOf(Promise);
  try {
    await answer;
  } catch (error) {
    if (error instanceof HttpException) return { status: error.getStatus(), body: error.getResponse() };
    throw error;
  }
  throw new Error('expected the guard to refuse');
}

describe.each([
  ['cold caches: every read async', false],
  ['warm caches: hits answered synchronously', true],
])('AuthzGuard (%s)', (_mode, warm) => {
  let reads: InMemoryReads;
  let shared: IdentityResolver;
  let acme: IdentityResolver;
  let guard: AuthzGuard;
  let lookups: number;

  beforeEach(() => {
    reads = new InMemoryReads(warm);
    shared = new IdentityResolver(reads, 'shared');
    acme = new IdentityResolver(reads, 'acme');
    lookups = 0;
    const registry = new Map<unknown, unknown>([[ACME, acme]]);
    const moduleRef = {
      get: (token: unknown) => {
        lookups += 1;
        if (!registry.has(token)) throw new Error('not found');
        return registry.get(token);
      },
    } as unknown as ModuleRef;
    guard = new AuthzGuard(new Reflector(), { identityResolver: shared } as unknown as AuthzService, moduleRef);
  });

  it('lets a route without @RequirePermission through without reading anything', async () => {
    expect(await guard.canActivate(contextFor('open', request({})))).toBe(true);
    expect(reads.reads).toEqual([]);
  });

  it('allows a permitted caller, checking the filled-in resource in the shared partition, and records the identity beside the request (identityOf), not on it', async () => {
    const req = request();
    expect(await guard.canActivate(contextFor('read', req))).toBe(true);
    expect(identityOf(req)).toEqual(ANN);
    expect(Object.keys(req)).not.toContain('identity');
    expect(reads.reads).toEqual([
      { op: 'resolve', partition: shared.partition },
      { op: 'check', partition: shared.partition, resource: 'projects:p1:routers:r7' },
    ]);
  });

  it(warm ? 'answers a warm, permitted request synchronously (a boolean, no promise)' : 'answers a cold request through promises', () => {
    const answer = guard.canActivate(contextFor('read', request()));
    if (warm) expect(answer).toBe(true);
    else expect(answer).toBeInstanceOf(Promise);
    return Promise.resolve(answer).then((allowed) => expect(allowed).toBe(true));
  });

  it("hands the identity read the token's own digest, also when one connection carries different tokens in turn", async () => {
    const bob = formatApiToken('fedcba9876543210', 'b'.repeat(43));
    reads.identities.set(bob, { ...ANN, principal: 'user:bob@x.io', tokenId: 'fedcba9876543210' });
    const socket = {};
    const on = (token: string) => ({ ...request({ authorization: `Bearer ${token}` }), socket });
    const first = on(ANN_TOKEN);
    const second = on(bob);
    const third = on(ANN_TOKEN);
    for (const req of [first, second, third, on(bob)]) await Promise.resolve(guard.canActivate(contextFor('read', req))).catch(() => undefined);
    expect(reads.digests).toEqual([tokenDigest(ANN_TOKEN), tokenDigest(bob), tokenDigest(ANN_TOKEN), tokenDigest(bob)]);
    expect(identityOf(first)?.principal).toBe('user:ann@x.io');
    expect(identityOf(third)?.principal).toBe('user:ann@x.io');
  });

  it("a connection's repeated header skips parsing only: the identity is read every time, so a revoked token is refused at once", async () => {
    const socket = {};
    const on = (authorization: string) => ({ ...request({ authorization }), socket });
    expect(await Promise.resolve(guard.canActivate(contextFor('read', on(`Bearer ${ANN_TOKEN}`))))).toBe(true);
    expect(await Promise.resolve(guard.canActivate(contextFor('read', on(`Bearer ${ANN_TOKEN}`))))).toBe(true);
    reads.identities.delete(ANN_TOKEN);
    expect(await refusal(guard.canActivate(contextFor('read', on(`Bearer ${ANN_TOKEN}`))))).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(reads.reads.filter((read) => read.op === 'resolve')).toHaveLength(3);
  });

  it('a different header on a known connection is parsed and checked afresh', async () => {
    const socket = {};
    const on = (authorization: string) => ({ ...request({ authorization }), socket });
    expect(await Promise.resolve(guard.canActivate(contextFor('read', on(`Bearer ${ANN_TOKEN}`))))).toBe(true);
    // Same length, not of the authority's shape: refused without any read.
    const garbage = `Bearer ${'x'.repeat(ANN_TOKEN.length)}`;
    const readsBefore = reads.reads.length;
    expect(await refusal(guard.canActivate(contextFor('read', on(garbage))))).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await refusal(guard.canActivate(contextFor('read', on('Basic abc'))))).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(reads.reads.length).toBe(readsBefore);
    // Another spelling of the same token is a new header: parsed again, and admitted.
    const other = on(`bearer   ${ANN_TOKEN}`);
    expect(await Promise.resolve(guard.canActivate(contextFor('read', other)))).toBe(true);
    expect(identityOf(other)?.principal).toBe('user:ann@x.io');
  });

  it('answers 403 FORBIDDEN when the principal may not, naming the principal, the action and the resource', async () => {
    const req = request(undefined, { project: 'p1', id: 'r8' });
    expect(await refusal(guard.canActivate(contextFor('read', req)))).toEqual({
      status: 403,
      body: { code: 'FORBIDDEN', message: 'user:ann@x.io may not routers.read on projects:p1:routers:r8' },
    });
    expect(identityOf(req)).toBeUndefined();
  });

  it.each([
    ['no Authorization header', {}],
    ['a non-bearer scheme', { authorization: `Basic ${ANN_TOKEN}` }],
    ['a token of the wrong shape', { authorization: 'Bearer not-an-iam-token' }],
  ])('answers 401 UNAUTHENTICATED for %s, without asking anyone', async (_what, headers) => {
    expect(await refusal(guard.canActivate(contextFor('read', request(headers))))).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(reads.reads).toEqual([]);
  });

  it('answers 401 UNAUTHENTICATED for a well-formed token the authority does not know, and checks nothing', async () => {
    const stranger = formatApiToken('fedcba9876543210', 'b'.repeat(43));
    expect(await refusal(guard.canActivate(contextFor('read', request({ authorization: `Bearer ${stranger}` }))))).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });
    expect(reads.reads.map((read) => read.op)).toEqual(['resolve']);
  });

  it('passes the x-iam-revision consistency token to both reads', async () => {
    await guard.canActivate(contextFor('read', request({ authorization: `Bearer ${ANN_TOKEN}`, 'x-iam-revision': ' 42 ' })));
    expect(reads.reads.map((read) => read.minRevision)).toEqual([42, 42]);
  });

  it.each([['-1'], ['4.2'], ['soon'], ['1234567890123456']])('answers 400 INVALID_REQUEST naming the header for x-iam-revision %j', async (value) => {
    const req = request({ authorization: `Bearer ${ANN_TOKEN}`, 'x-iam-revision': value });
    expect(await refusal(guard.canActivate(contextFor('read', req)))).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST', field: 'x-iam-revision' } });
    expect(reads.reads).toEqual([]);
  });

  it.each([
    ['a segment separator', { project: 'p1', id: 'r7:routers:*' }, 'id'],
    ['a wildcard', { project: '*', id: 'r7' }, 'project'],
    ['a missing parameter', { project: 'p1' }, 'id'],
  ])('answers 400 INVALID_REQUEST for a route parameter with %s (it cannot widen the checked resource)', async (_what, params, field) => {
    expect(await refusal(guard.canActivate(contextFor('read', request(undefined, params))))).toMatchObject({
      status: 400,
      body: { code: 'INVALID_REQUEST', field },
    });
    expect(reads.reads).toEqual([]);
  });

  it.each([
    ['identity', 'failResolve'],
    ['check', 'failCheck'],
  ] as const)('fails closed with 503 AUTHZ_UNAVAILABLE when the %s read cannot be verified', async (_read, failure) => {
    reads[failure] = new AuthorityUnavailableError('timeout after 2000 ms');
    const req = request();
    expect(await refusal(guard.canActivate(contextFor('read', req)))).toEqual({
      status: 503,
      body: { code: 'AUTHZ_UNAVAILABLE', message: 'authorization cannot be verified right now; try again' },
    });
    expect(identityOf(req)).toBeUndefined();
  });

  it('answers 412 REVISION_NOT_REACHED when the consistency token is ahead of the authority', async () => {
    reads.failCheck = new RevisionNotReachedError(99, 3);
    expect(await refusal(guard.canActivate(contextFor('read', request())))).toMatchObject({
      status: 412,
      body: { code: 'REVISION_NOT_REACHED', field: 'x-iam-revision' },
    });
  });

  it('answers 429 RATE_LIMITED when the identity budget is spent', async () => {
    reads.failResolve = new AuthorityRateLimitedError();
    expect(await refusal(guard.canActivate(contextFor('read', request())))).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
  });

  it("reads through the route's @UseIdentityResolver resolver, in its own partition, looked up once", async () => {
    await guard.canActivate(contextFor('readAsAcme', request()));
    await guard.canActivate(contextFor('readAsAcme', request()));
    expect(new Set(reads.reads.map((read) => read.partition))).toEqual(new Set([acme.partition]));
    expect(acme.partition).not.toBe(shared.partition);
    expect(lookups).toBe(1);
  });

  it('answers 500 INTERNAL (fails closed) when the route names a resolver that is not registered, and logs the token', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    expect(await refusal(guard.canActivate(contextFor('readWithMissingResolver', request())))).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
    expect(reads.reads).toEqual([]);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('@UseIdentityResolver(NOT_REGISTERED)'));
    logged.mockRestore();
  });

  it('reads each controller\'s own metadata for a handler two controllers inherit (route plans are per controller and handler)', async () => {
    class BaseRoutes {
      read(): void {}
    }
    @RequirePermission('routers.read', 'projects:{project}:routers:{id}')
    class RoutersOfProject extends BaseRoutes {}
    @RequirePermission('routers.read', 'orgs:{project}')
    class RoutersOfOrg extends BaseRoutes {}
    const on = (controller: object): ExecutionContext =>
      ({ getHandler: () => BaseRoutes.prototype.read, getClass: () => controller, switchToHttp: () => ({ getRequest: () => request() }) }) as unknown as ExecutionContext;
    expect(await guard.canActivate(on(RoutersOfProject))).toBe(true);
    expect(await refusal(guard.canActivate(on(RoutersOfOrg)))).toMatchObject({ status: 403 });
    expect(await guard.canActivate(on(RoutersOfProject))).toBe(true);
    expect(reads.reads.filter((read) => read.op === 'check').map((read) => read.resource)).toEqual(['projects:p1:routers:r7', 'orgs:p1', 'projects:p1:routers:r7']);
  });
});
