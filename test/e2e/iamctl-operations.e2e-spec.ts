import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { httpJson } from '../../apps/iamctl/src/clients/http-json';
import { START_UP_HOOK_TIMEOUT_MS, waitFor } from '../support/wait';
import { createReaderRole, createUser, get, TestUser, waitHealthy } from './support/http';
import { iamctl } from './support/iamctl';
import { RpcSpy } from './support/rpc-spy';
import { TEST_ADMIN_TOKEN, TEST_CACHE_ADMIN_TOKEN } from '../support/credentials';
import { TestSystem } from './support/system';

/*
 * Issue 4, acceptance 3: `iamctl replay --since 1h --service turing` makes
 * both turing replicas replay and prints each replica's result; `iamctl
 * rebuild` re-warms without more than the configured concurrency reaching
 * the authority (measured on the wire). Plus the other operator commands
 * against the real stack.
 */
const REBUILD_CONCURRENCY = 4;
const WARM_KEYS = 30;

describe('iamctl against the running system (acceptance 3)', () => {
  let system: TestSystem;
  let user: TestUser;
  let lastRevision: number;
  let turingInstances: string[];

  beforeAll(async () => {
    system = await TestSystem.start({ turingReplicas: 2, merlinReplicas: 1, consumerEnv: { AUTHZ_REBUILD_CONCURRENCY: String(REBUILD_CONCURRENCY) } });
    await waitHealthy(system.services().map((s) => s.app.url));
    user = await createUser(system.admin, 'operator-e2e');
    const role = await createReaderRole(system.admin);
    lastRevision = (await system.admin.createPolicy({ subjects: [user.principal], role, resources: ['projects:42:**'], effect: 'allow' })).revision;
    turingInstances = [];
    for (const app of system.turing) {
      const stats = await httpJson<{ instanceId: string }>(`${app.url}/admin/cache/stats`, { token: TEST_CACHE_ADMIN_TOKEN });
      expect(stats.status).toBe(200);
      turingInstances.push(stats.body.instanceId);
    }
  }, START_UP_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await system?.dispose();
  });

  const nats = () => ['--nats', system.nats.url];

  it('replay --since 1h --service turing: both turing replicas replay, merlin does not answer', async () => {
    const run = await iamctl([...nats(), '--json', 'replay', '--since', '1h', '--service', 'turing']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout) as { replicas: Array<{ service: string; instanceId: string; status: string; result: { applied: number; toSequence: number } }> };
    expect(output.replicas.map((r) => r.service)).toEqual(['turing', 'turing']);
    expect(output.replicas.map((r) => r.instanceId).sort()).toEqual([...turingInstances].sort());
    for (const replica of output.replicas) {
      expect(replica.status).toBe('ok');
      expect(replica.result.applied).toBeGreaterThanOrEqual(4); // principal, token, role, policy
    }

    const human = await iamctl([...nats(), 'replay', '--since', '1h', '--service', 'turing']);
    expect(human.code).toBe(0);
    for (const instanceId of turingInstances) expect(human.stdout).toContain(instanceId);
    expect(human.stdout).toMatch(/SERVICE\s+INSTANCE\s+STATUS\s+FROM\s+TO\s+APPLIED/);
  });

  it('rebuild --service turing: re-warms each replica with at most the configured concurrency at the authority', async () => {
    for (const app of system.turing) {
      for (let i = 1; i <= WARM_KEYS; i++) expect(await get(app.url, `/v1/projects/42/routers/${i}`, user.token)).toBe(404); // allowed, then not found
    }
    const spy = await RpcSpy.start(system.nats.url);
    try {
      const run = await iamctl([...nats(), '--json', 'rebuild', '--service', 'turing', '--top-n', '100']);
      expect(run.code).toBe(0);
      const output = JSON.parse(run.stdout) as { replicas: Array<{ status: string; result: { warmed: number; failed: number; maxInFlight: number } }> };
      expect(output.replicas).toHaveLength(2);
      for (const replica of output.replicas) {
        expect(replica.status).toBe('ok');
        expect(replica.result.failed).toBe(0);
        expect(replica.result.warmed).toBeGreaterThanOrEqual(WARM_KEYS);
        expect(replica.result.maxInFlight).toBeLessThanOrEqual(REBUILD_CONCURRENCY);
      }
      // Measured at the authority's door: each replica's connection never had more than the bound in flight.
      expect(spy.requests).toBeGreaterThanOrEqual(2 * WARM_KEYS);
      expect(Math.max(...spy.maxInFlightByConnection.values())).toBeLessThanOrEqual(REBUILD_CONCURRENCY);
      expect(spy.maxInFlightTotal).toBeLessThanOrEqual(2 * REBUILD_CONCURRENCY);
    } finally {
      await spy.close();
    }
    // Re-warmed: the next reads are answered without asking the authority.
    const spyAfter = await RpcSpy.start(system.nats.url);
    try {
      for (const app of system.turing) expect(await get(app.url, '/v1/projects/42/routers/1', user.token)).toBe(404);
      expect(spyAfter.requests).toBe(0);
    } finally {
      await spyAfter.close();
    }
  });

  it('cache stats answers for every instance of every service', async () => {
    const run = await iamctl([...nats(), '--json', 'cache', 'stats']);
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout) as { replicas: Array<{ service: string; status: string; result: { live: boolean } }> };
    expect(output.replicas.map((r) => r.service).sort()).toEqual(['merlin', 'turing', 'turing']);
    expect(output.replicas.every((r) => r.status === 'ok' && r.result.live)).toBe(true);
  });

  it('stream status and events tail read the stream', async () => {
    const status = await iamctl([...nats(), '--json', 'stream', 'status']);
    expect(status.code).toBe(0);
    const info = JSON.parse(status.stdout) as { messages: number; lastSequence: number; lastEventRevision: number };
    expect(info.lastEventRevision).toBeGreaterThanOrEqual(lastRevision);
    expect(info.messages).toBeGreaterThanOrEqual(4);

    const tail = await iamctl([...nats(), '--json', 'events', 'tail', '--limit', '3']);
    expect(tail.code).toBe(0);
    const lines = tail.stdout.trim().split('\n').map((line) => JSON.parse(line) as { seq: number; kind: string });
    expect(lines).toHaveLength(3);
    expect(lines[2].seq).toBe(info.lastSequence);
    expect(lines.every((l) => l.kind === 'event')).toBe(true);

    const policies = await iamctl([...nats(), 'events', 'tail', '--type', 'policy.created', '--from-seq', '1']);
    expect(policies.code).toBe(0);
    expect(policies.stdout).toContain('policy.created');
    expect(policies.stdout).not.toContain('principal.created');
  });

  it('events tail --follow prints the last --limit events, then follows like tail -f', async () => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'iamctl.js'), ...nats(), '--json', 'events', 'tail', '--follow', '--limit', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH },
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const lines = () => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { seq: number; type?: string; payload?: { principalId?: string } });
    try {
      await waitFor(() => lines().length >= 2, { timeoutMs: 20_000, description: 'the two past events' });
      const past = lines();
      expect(past).toHaveLength(2);
      expect(past[1].seq).toBe(past[0].seq + 1);
      const principal = `user:follow-${process.pid}@example.com`;
      await system.admin.createPrincipal(principal, 'Follow');
      await waitFor(() => lines().length >= 3, { timeoutMs: 20_000, description: 'the new event' });
      expect(lines()[2]).toMatchObject({ seq: past[1].seq + 1, type: 'principal.created' });
      expect(child.exitCode).toBeNull(); // still following
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });

  it('admin commands: principal, role, grant, token create and revoke, flush', async () => {
    const env = { AUTHORITY_URL: system.authority.url, IAM_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
    const principal = `user:cli-${process.pid}@example.com`;
    expect((await iamctl(['principal', 'create', principal, '--display-name', 'CLI user'], env)).code).toBe(0);
    expect((await iamctl(['role', 'create', `cli-role-${process.pid}`, '--actions', 'routers.read'], env)).code).toBe(0);
    const grant = await iamctl(['grant', '--subject', principal, '--role', `cli-role-${process.pid}`, '--resource', 'projects:9:**'], env);
    expect(grant.code).toBe(0);
    expect(grant.stdout).toMatch(/policy pol_[0-9a-f]+ created: allow/);
    const token = await iamctl(['--json', 'token', 'create', principal, '--ttl', '600'], env);
    expect(token.code).toBe(0);
    const created = JSON.parse(token.stdout) as { token: string; tokenId: string };
    expect(await get(system.turing[0].url, '/v1/projects/9/routers', created.token)).toBe(200);
    const revoked = await iamctl(['--json', 'token', 'revoke', created.tokenId], env);
    expect(revoked.code).toBe(0);
    const revision = (JSON.parse(revoked.stdout) as { revision: number }).revision;
    expect(await get(system.turing[0].url, '/v1/projects/9/routers', created.token, revision)).toBe(401);
    expect((await iamctl(['flush', '--principal', principal], env)).code).toBe(0);
    expect((await iamctl(['flush', '--all'], env)).code).toBe(2);
    expect((await iamctl(['flush', '--all', '--yes'], env)).code).toBe(0);
  });

  it('exits 1 when no replica answers, or the authority refuses', async () => {
    const none = await iamctl([...nats(), 'replay', '--since', '1h', '--service', 'no-such-service', '--wait', '300']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no replica of service no-such-service answered');
    const refused = await iamctl(['--authority', system.authority.url, '--admin-token', 'not-the-admin-token-x7q', 'principal', 'create', 'user:x@example.com']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('401');
    expect(refused.stderr).not.toContain('not-the-admin-token-x7q');
  });
});
