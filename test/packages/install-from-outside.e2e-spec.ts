import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { startTestAuthority } from '../support/authority';
import { TEST_ADMIN_TOKEN, TEST_CACHE_ADMIN_TOKEN, TEST_OPERATOR_KEY, TEST_SERVICE_TOKEN } from '../support/credentials';
import { createTestDatabase, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { scratchDir } from '../support/scratch';
import { waitFor } from '../support/wait';
import { installOutsideApp, killRunningCommands, OutsideApp, PackedPackage, packWorkspaces, startOutsideApp, workspaceVersion } from './support/outside-app';

/*
 * Proof from outside (docs/architecture.md#packages): @iam/contracts and
 * @iam/authz-cache are packed with `npm pack`, installed into fresh Nest 11 and
 * Nest 12 apps in temporary directories outside the repository, and each app
 * guards a route with `@RequirePermission` against a real authority and a
 * real nats-server: 401 without a valid token, 403 when not granted, 200 when
 * granted, and 403 once the grant is revoked (the cached "allow" busted by the
 * event; the TTLs are ten minutes, so nothing else can explain it).
 * Nest 12 is ESM; the CommonJS packages load it through require(esm),
 * unflagged on Node >= 20.19.
 */
jest.setTimeout(300_000);

const PACKAGES = ['@iam/contracts', '@iam/authz-cache'];
const ROLE = 'router-reader';
/** Well formed, but minted by nobody. */
const UNKNOWN_TOKEN = `iam_${'0'.repeat(16)}_${'a'.repeat(43)}`;

interface Variant {
  name: string;
  nestMajor: number;
  install: 'nest11' | 'nest12';
  adapter: 'express' | 'fastify';
  setup: 'forRoot' | 'forRootAsync';
}

const VARIANTS: Variant[] = [
  { name: 'nest11-express', nestMajor: 11, install: 'nest11', adapter: 'express', setup: 'forRoot' },
  { name: 'nest12-express', nestMajor: 12, install: 'nest12', adapter: 'express', setup: 'forRoot' },
  { name: 'nest12-fastify', nestMajor: 12, install: 'nest12', adapter: 'fastify', setup: 'forRootAsync' },
];

describe('the packed packages, installed into Nest apps outside the repository', () => {
  const work = scratchDir('iam-outside-');
  const dirs = { nest11: join(work, 'nest11-app'), nest12: join(work, 'nest12-app') };
  const running: OutsideApp[] = [];
  let packed: PackedPackage[];
  let nats: NatsTestServer;
  let db: TestDatabase;
  let authority: RunningAuthority;

  async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${authority.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const parsed = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  }

  beforeAll(async () => {
    packed = await packWorkspaces(PACKAGES, work);
    const common = { 'reflect-metadata': workspaceVersion('reflect-metadata'), rxjs: workspaceVersion('rxjs') };
    const nest11 = Object.fromEntries(['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/terminus'].map((name) => [name, workspaceVersion(name)]));
    const nest12 = { '@nestjs/common': '^12.0.0', '@nestjs/core': '^12.0.0', '@nestjs/platform-express': '^12.0.0', '@nestjs/platform-fastify': '^12.0.0', '@nestjs/terminus': '^12.0.0' };
    // Both installs and the servers at once: npm waits on I/O, the machine has two cores.
    const installs = Promise.all([installOutsideApp(dirs.nest11, packed, { ...common, ...nest11 }), installOutsideApp(dirs.nest12, packed, { ...common, ...nest12 })]);
    const servers = (async () => {
      nats = await startNatsServer({ auth: true });
      db = await createTestDatabase('pglite');
      authority = await startTestAuthority(nats, db);
      await api('POST', '/v1/roles', { id: ROLE, actions: ['routers.read'] });
    })();
    await Promise.all([installs, servers]);
  });

  afterAll(async () => {
    killRunningCommands();
    await Promise.all(running.splice(0).map((app) => app.stop()));
    await authority?.close();
    await db?.dispose();
    await nats?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs declarations, the README and the LICENSE, and no sources, specs or build info', () => {
    for (const p of packed) {
      expect(p.files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
      expect(p.files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
      expect(p.files.filter((f) => /spec|tsbuildinfo|testing\//.test(f))).toEqual([]);
    }
  });

  it('installs one copy of Nest: @nestjs/* are peers of the package, never its own dependencies', () => {
    for (const dir of Object.values(dirs)) {
      expect(existsSync(join(dir, 'node_modules', '@iam', 'authz-cache', 'dist', 'index.d.ts'))).toBe(true);
      expect(existsSync(join(dir, 'node_modules', '@iam', 'authz-cache', 'node_modules', '@nestjs'))).toBe(false);
      expect(existsSync(join(dir, 'node_modules', '@iam', 'authz-cache', 'node_modules', '@iam'))).toBe(false);
      const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', '@iam', 'authz-cache', 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
      expect(Object.keys(manifest.peerDependencies)).toEqual(expect.arrayContaining(['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs']));
    }
  });

  it.each(VARIANTS)('$name ($setup): the guarded route answers 401, 403, 200, and 403 once the grant is revoked', async (variant) => {
    const principal = `user:${variant.name}@example.com`;
    await api('POST', '/v1/principals', { id: principal });
    const token = (await api('POST', `/v1/principals/${encodeURIComponent(principal)}/tokens`, {})).token as string;
    const grant = await api('POST', '/v1/policies', { subjects: [principal], role: ROLE, resources: ['projects:1'], effect: 'allow' });

    const app = await startOutsideApp(dirs[variant.install], {
      SERVICE_NAME: `outside-${variant.name}`,
      ...nats.env('turing'),
      IAM_DEV_MODE: '1',
      IAM_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
      // The service's own cache-admin token, never the authority's admin token.
      AUTHZ_ADMIN_TOKEN: TEST_CACHE_ADMIN_TOKEN,
      IAM_OPERATOR_KEY: TEST_OPERATOR_KEY,
      // Ten minutes: only the revocation event can bust the cached allow within this test.
      AUTHZ_SOFT_TTL_MS: '600000',
      AUTHZ_HARD_TTL_MS: '600000',
      HTTP_ADAPTER: variant.adapter,
      MODULE_SETUP: variant.setup,
    });
    running.push(app);
    try {
      expect({ major: Number(app.nest.split('.')[0]), adapter: app.adapter }).toEqual({ major: variant.nestMajor, adapter: variant.adapter });
      const get = async (path: string, authorization?: string) => {
        const response = await fetch(`${app.url}${path}`, { headers: authorization ? { authorization } : {} });
        const text = await response.text();
        return { status: response.status, text };
      };
      await waitFor(async () => (await get('/health')).status === 200, { timeoutMs: 30_000, description: `${variant.name}: /health 200 (subscription live)` });

      expect((await get('/projects/1')).status).toBe(401);
      expect((await get('/projects/1', 'Bearer not-a-token')).status).toBe(401);
      expect((await get('/projects/1', `Bearer ${UNKNOWN_TOKEN}`)).status).toBe(401);
      expect((await get('/projects/2', `Bearer ${token}`)).status).toBe(403);
      const granted = await get('/projects/1', `Bearer ${token}`);
      expect(granted.status).toBe(200);
      expect(JSON.parse(granted.text)).toEqual({ project: '1', principal });
      // The second read is a cache hit: the allow is now cached.
      expect((await get('/projects/1', `Bearer ${token}`)).status).toBe(200);
      const metrics = (await get('/metrics')).text;
      expect(metrics).toMatch(/^authz_cache_hits_total\{[^}]*cache="decision"[^}]*\} [1-9]/m);

      await api('DELETE', `/v1/policies/${grant.id as string}`);
      await waitFor(async () => (await get('/projects/1', `Bearer ${token}`)).status === 403, {
        timeoutMs: 15_000,
        description: `${variant.name}: 403 after the revocation`,
      });
      expect((await get('/projects/1', `Bearer ${token}`)).status).toBe(403);
    } finally {
      await app.stop();
    }
  });
});
