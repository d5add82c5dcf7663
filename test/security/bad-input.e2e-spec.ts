import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { REVISION_HEADER, RPC_SUBJECTS } from '@iam/contracts';
import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { AuthorityAdminClient } from '../../apps/iamctl/src/clients/authority-admin-client';
import { startTuring } from '../../apps/turing/src/bootstrap';
import { readStream, rpc } from '../authority/authority-harness';
import { startTestAuthority } from '../support/authority';
import { TEST_ADMIN_TOKEN, TEST_CACHE_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from '../support/credentials';
import { createTestDatabase, TestDatabase } from '../support/database';
import { request } from '../support/http';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';

// The flood is 12,000 HTTP requests: minutes on a loaded machine.
jest.setTimeout(300_000);

/**
 * The flood (the issue used 12,000 tokens against the defaults: 10,000
 * known identities, 1,000 unknown tokens, 200 resolutions a second) is
 * scaled down, every ratio kept or sharpened: both identity tiers hold 5,
 * and at 10 resolutions a second a flood of 3,000 resolves more unknown
 * tokens than both tiers hold together (checked below, else "the known
 * identity is still cached" proves nothing) yet far fewer than one per
 * token, however slow the machine makes the flood (up to ~150 s).
 */
const RESOLVE_RATE = 10;
const MAX_IDENTITIES = 5;
const MAX_UNKNOWN_TOKENS = 5;
const FLOOD = 3000;

/*
 * Issue 9, bounded cost of bad input, against the real authority and a real
 * turing on nats-server with auth.conf: floods of unknown tokens, consistency
 * tokens from the future, huge and deep bodies, wildcard checks.
 */
describe('bad input costs little (real authority, real turing)', () => {
  let nats: NatsTestServer;
  let db: TestDatabase;
  let authority: RunningAuthority;
  let turing: { url: string; close(): Promise<void> };
  let admin: AuthorityAdminClient;
  let rpcClient: NatsConnection;
  let known: { principal: string; token: string };

  beforeAll(async () => {
    nats = await startNatsServer({ auth: true });
    db = await createTestDatabase('pglite');
    authority = await startTestAuthority(nats, db);
    turing = await startTuring({
      ...nats.env('turing'),
      IAM_DEV_MODE: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      AUTHORITY_URL: authority.url,
      IAM_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
      AUTHZ_ADMIN_TOKEN: TEST_CACHE_ADMIN_TOKEN,
      AUTHZ_AUTHORITY_RESOLVE_RATE: String(RESOLVE_RATE),
      AUTHZ_MAX_IDENTITIES: String(MAX_IDENTITIES),
      AUTHZ_MAX_UNKNOWN_TOKENS: String(MAX_UNKNOWN_TOKENS),
      // Entries stay fresh through the whole flood, so "still cached" means a hit, not a stale hit refreshing in the background.
      AUTHZ_SOFT_TTL_MS: '600000',
    });
    admin = new AuthorityAdminClient(authority.url, TEST_ADMIN_TOKEN, 5000);
    rpcClient = await connect(nats.connectOptions('merlin'));
    const principal = `user:known-${process.pid}@example.com`;
    await admin.createPrincipal(principal);
    await admin.createRole('security-reader', ['routers.read']);
    await admin.createPolicy({ subjects: [principal], role: 'security-reader', resources: ['projects:42:**'], effect: 'allow' });
    await admin.createPolicy({ subjects: [principal], actions: ['routers.read'], resources: ['projects:42:routers:secret'], effect: 'deny' });
    const minted = await admin.createToken(principal, 3600);
    known = { principal, token: minted.token };
    await waitFor(async () => (await fetch(`${turing.url}/health`)).status === 200, { description: 'turing to be live' });
  });
  afterAll(async () => {
    await rpcClient?.close();
    await turing?.close();
    await authority?.close();
    await db?.dispose();
    await nats?.dispose();
  });

  async function turingGet(path: string, token: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { code?: string; field?: string } }> {
    const response = await request(`${turing.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
    return { status: response.status, body: response.text ? JSON.parse(response.text) : {} };
  }

  /** The authority calls turing made so far, by op (its own metric). */
  async function authorityCalls(op: 'identity' | 'check'): Promise<number> {
    const metrics = await (await fetch(`${turing.url}/metrics`)).text();
    return metrics
      .split('\n')
      .filter((line) => line.startsWith('authz_cache_authority_calls_total') && line.includes(`op="${op}"`))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  }

  it(`a flood of ${FLOOD} unknown tokens leaves the known identity cached, with bounded authority calls`, async () => {
    expect((await turingGet('/v1/projects/42/routers', known.token)).status).toBe(200);
    const identityCallsBefore = await authorityCalls('identity');
    const started = Date.now();
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < FLOOD) {
        const i = next++;
        const token = `iam_${i.toString(16).padStart(16, '0')}_${'A'.repeat(43)}`;
        const { status } = await turingGet('/v1/projects/42/routers', token);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    // Every worker ends before the test does (Promise.all would reject at the first failure and leave
    // the others flooding into the next test); the first failure is rethrown.
    const failures = (await Promise.allSettled(Array.from({ length: 32 }, worker))).filter((r) => r.status === 'rejected');
    if (failures.length > 0) throw (failures[0] as PromiseRejectedResult).reason;
    const seconds = (Date.now() - started) / 1000;
    // Unknown: 401; beyond the budget: 429 without asking the authority. Never a 5xx, never allowed.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([401]));
    expect([...statuses.entries()].filter(([status]) => status !== 401 && status !== 429)).toEqual([]);
    const identityCalls = (await authorityCalls('identity')) - identityCallsBefore;
    // The token bucket: a burst of RESOLVE_RATE plus RESOLVE_RATE a second (and a wide margin), far below one call per token.
    expect(identityCalls).toBeLessThanOrEqual(RESOLVE_RATE * (seconds + 2));
    expect(identityCalls).toBeLessThan(FLOOD / 2);
    // More unknown tokens were resolved (and remembered as unknown) than both tiers hold together.
    expect(identityCalls).toBeGreaterThan(MAX_IDENTITIES + MAX_UNKNOWN_TOKENS);
    // The known identity is still cached: answered without any authority call.
    const callsBefore = (await authorityCalls('identity')) + (await authorityCalls('check'));
    expect((await turingGet('/v1/projects/42/routers', known.token)).status).toBe(200);
    expect((await authorityCalls('identity')) + (await authorityCalls('check'))).toBe(callsBefore);
  });

  it('answers a consistency token from the future at once with 412, one authority call, no retries', async () => {
    // Let the rate limiter's bucket refill after the flood.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const before = (await authorityCalls('identity')) + (await authorityCalls('check'));
    const answer = await turingGet('/v1/projects/42/routers', known.token, { [REVISION_HEADER]: '999999999999' });
    expect(answer.status).toBe(412);
    expect(answer.body).toMatchObject({ code: 'REVISION_NOT_REACHED', field: REVISION_HEADER });
    expect((await authorityCalls('identity')) + (await authorityCalls('check')) - before).toBeLessThanOrEqual(1);
  });

  it.each([
    ['the authority', () => `${authority.url}/v1/principals`, TEST_ADMIN_TOKEN],
    ['turing', () => `${turing.url}/v1/projects/42/routers`, 'not-checked-before-the-body'],
  ])('answers %s a 10 MB body with 413 and a 5,000-deep body with 400, as JSON without a stack', async (_who, url, token) => {
    const big = await fetch(url(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'x'.repeat(10 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    const bigBody = (await big.json()) as { code: string; message: string };
    expect(bigBody.code).toBe('PAYLOAD_TOO_LARGE');
    expect(JSON.stringify(bigBody)).not.toMatch(/\bat \S+:\d+/);

    const deep = await fetch(url(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
    });
    expect(deep.status).toBe(400);
    const deepBody = (await deep.json()) as { code: string; message: string };
    expect(deepBody).toMatchObject({ code: 'INVALID_REQUEST', field: '$' });
    expect(JSON.stringify(deepBody)).not.toMatch(/\bat \S+:\d+/);
  });

  it('refuses a check with a * or ** segment (HTTP and NATS RPC), naming the field', async () => {
    for (const resource of ['projects:42:routers:*', 'projects:42:**']) {
      const http = await fetch(`${authority.url}/v1/check`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ principal: known.principal, action: 'routers.read', resource }),
      });
      expect(http.status).toBe(400);
      expect(await http.json()).toMatchObject({ code: 'INVALID_REQUEST', field: 'resource' });

      const reply = await rpc(rpcClient, RPC_SUBJECTS.check, { serviceToken: TEST_SERVICE_TOKEN, principal: known.principal, action: 'routers.read', resource });
      expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', field: 'resource' } });
    }
    // The concrete resource behind the pattern is still answered (and denied).
    const concrete = await fetch(`${authority.url}/v1/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ principal: known.principal, action: 'routers.read', resource: 'projects:42:routers:secret' }),
    });
    expect(await concrete.json()).toMatchObject({ allowed: false });
  });

  it('sends no X-Powered-By, and token answers are not stored by caches', async () => {
    const health = await fetch(`${authority.url}/health`);
    expect(health.headers.get('x-powered-by')).toBeNull();
    expect((await fetch(`${turing.url}/health`)).headers.get('x-powered-by')).toBeNull();
    const minted = await fetch(`${authority.url}/v1/principals/${encodeURIComponent(known.principal)}/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 60 }),
    });
    expect(minted.status).toBe(201);
    expect(minted.headers.get('cache-control')).toBe('no-store');
  });

  it('records the admin token owner in the audit log and ignores x-iam-actor', async () => {
    const created = await fetch(`${authority.url}/v1/principals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json', 'x-iam-actor': 'someone-else' },
      body: JSON.stringify({ id: `user:audited-${process.pid}@example.com` }),
    });
    expect(created.status).toBe(201);
    const { revision } = (await created.json()) as { revision: number };
    const event = await waitFor(async () => (await readStream(rpcClient)).find((entry) => entry.event.revision === revision), {
      description: 'the principal.created event',
    });
    expect(event.event.actor).toBe('admin:admin');
  });
});
