import type { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { startTestAuthority } from '../support/authority';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from '../support/credentials';
import { createTestDatabase, TestDatabase } from '../support/database';
import { request } from '../support/http';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { CacheApp, JsonBody, startCacheApp, testOptions } from './support/cache-app';

jest.setTimeout(180_000);

const ADA = 'user:ada@example.com';
const LOOPS = 1000;

/** The cache module against the real authority (PGlite) on a real nats-server with auth.conf. */
describe('the cache module against the real authority', () => {
  let nats: NatsTestServer;
  let db: TestDatabase;
  let authority: RunningAuthority;
  const apps: CacheApp[] = [];

  async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: JsonBody; revision: number }> {
    const response = await request<JsonBody>(`${authority.url}${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, body });
    const parsed = response.json as JsonBody;
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return { status: response.status, body: parsed, revision: Number(response.headers['x-iam-revision'] ?? parsed?.revision) };
  }

  async function app(transport: 'nats' | 'http'): Promise<CacheApp> {
    const started = await startCacheApp(
      testOptions(nats.url, {
        nats: nats.cacheNatsOptions('turing'),
        authority: { transport, httpUrl: authority.url, serviceToken: TEST_SERVICE_TOKEN, timeoutMs: 2000 },
      }),
    );
    apps.push(started);
    await waitFor(() => started.authz.live, { description: 'the subscription to be live' });
    return started;
  }

  beforeAll(async () => {
    nats = await startNatsServer({ auth: true });
    db = await createTestDatabase('pglite');
    authority = await startTestAuthority(nats, db);
  });
  afterAll(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await authority?.close();
    await db?.dispose();
    await nats?.dispose();
  });

  it('guards routes over both transports: 401 unknown token, 403 deny, 200 allow, 401 after revocation', async () => {
    const [overNats, overHttp] = [await app('nats'), await app('http')];
    await admin('POST', '/v1/principals', { id: ADA });
    await admin('POST', '/v1/roles', { id: 'router-reader', actions: ['routers.read'] });
    const minted = await admin('POST', `/v1/principals/${encodeURIComponent(ADA)}/tokens`, {});
    const token = minted.body.token as string;
    const tokenId = minted.body.tokenId as string;
    for (const a of [overNats, overHttp]) {
      expect((await a.get('/projects/1/routers/1', `iam_${'0'.repeat(16)}_${'a'.repeat(43)}`)).status).toBe(401);
      expect((await a.get('/projects/1/routers/1', token)).status).toBe(403);
    }
    const granted = await admin('POST', '/v1/policies', { subjects: [ADA], role: 'router-reader', resources: ['projects:1:**'], effect: 'allow' });
    for (const a of [overNats, overHttp]) {
      expect((await a.get('/projects/1/routers/1', token, { 'x-iam-revision': String(granted.revision) })).status).toBe(200);
    }
    const revoked = await admin('DELETE', `/v1/tokens/${tokenId}`);
    for (const a of [overNats, overHttp]) {
      expect((await a.get('/projects/1/routers/1', token, { 'x-iam-revision': String(revoked.revision) })).status).toBe(401);
      await waitFor(() => a.authz.stats().appliedRevision >= revoked.revision);
      expect((await a.get('/projects/1/routers/1', token)).status).toBe(401);
    }
  });

  it(`never answers from a state older than x-iam-revision: ${LOOPS} mutate-then-check loops, zero stale answers (semantics 9)`, async () => {
    const instances = apps.length >= 2 ? apps.slice(0, 2) : [await app('nats'), await app('nats')];
    const bob = 'user:bob@example.com';
    await admin('POST', '/v1/principals', { id: bob });
    const token = (await admin('POST', `/v1/principals/${encodeURIComponent(bob)}/tokens`, {})).body.token as string;
    let stale = 0;
    let policyId: string | undefined;
    for (let i = 0; i < LOOPS; i += 1) {
      let revision: number;
      if (policyId === undefined) {
        const created = await admin('POST', '/v1/policies', { subjects: [bob], actions: ['routers.read'], resources: ['projects:7:routers:*'], effect: 'allow' });
        policyId = created.body.id as string;
        revision = created.revision;
      } else {
        revision = (await admin('DELETE', `/v1/policies/${policyId}`)).revision;
        policyId = undefined;
      }
      const expected = policyId !== undefined ? 200 : 403;
      const status = (await instances[i % 2].get('/projects/7/routers/1', token, { 'x-iam-revision': String(revision) })).status;
      if (status !== expected) stale += 1;
    }
    expect(stale).toBe(0);
  });
});
