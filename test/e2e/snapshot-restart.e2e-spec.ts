import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPC_SUBJECTS } from '@iam/contracts';
import { httpJson } from '../../apps/iamctl/src/clients/http-json';
import { createReaderRole, createUser, get, TestUser, waitHealthy } from './support/http';
import { RpcSpy } from './support/rpc-spy';
import { TEST_CACHE_ADMIN_TOKEN } from '../support/credentials';
import { RunningApp, TestSystem } from './support/system';
import { START_UP_HOOK_TIMEOUT_MS } from '../support/wait';

/*
 * Issue 4, acceptance 4: restart merlin with a snapshot. It serves from the
 * restored cache at once (no authority call for what it knew), and it is
 * still correct for the changes made while it was down (replayed from the
 * snapshot's stream sequence).
 */
describe('merlin restarted with a snapshot (acceptance 4)', () => {
  let system: TestSystem;
  let dir: string;
  let merlin: RunningApp | undefined;
  let keeps: TestUser;
  let loses: TestUser;
  let gains: TestUser;
  let role: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iam-merlin-snapshot-'));
    system = await TestSystem.start({
      turingReplicas: 0,
      merlinReplicas: 0,
      merlinEnv: { AUTHZ_SNAPSHOT_PATH: join(dir, 'merlin.snapshot.json'), AUTHZ_SNAPSHOT_INTERVAL_MS: '600000' },
    });
    role = await createReaderRole(system.admin);
    keeps = await createUser(system.admin, 'keeps');
    loses = await createUser(system.admin, 'loses');
    gains = await createUser(system.admin, 'gains');
  }, START_UP_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await merlin?.close();
    await system?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves restored entries without asking the authority and applies what changed while it was down', async () => {
    await system.admin.createPolicy({ subjects: [keeps.principal], role, resources: ['projects:42:**'], effect: 'allow' });
    const losesGrant = await system.admin.createPolicy({ subjects: [loses.principal], role, resources: ['projects:42:**'], effect: 'allow' });
    merlin = await system.startMerlin();
    await waitHealthy([merlin.url]);
    // Warm: two allows and one denial (gains has nothing yet).
    expect(await get(merlin.url, '/v1/projects/42/models', keeps.token, losesGrant.revision)).toBe(200);
    expect(await get(merlin.url, '/v1/projects/42/models', loses.token, losesGrant.revision)).toBe(200);
    expect(await get(merlin.url, '/v1/projects/42/models', gains.token, losesGrant.revision)).toBe(403);

    await merlin.close();
    merlin = undefined;
    expect(existsSync(join(dir, 'merlin.snapshot.json'))).toBe(true);

    // While merlin is down: one allow revoked, one denial turned into an allow.
    await system.admin.deletePolicy(losesGrant.id);
    await system.admin.createPolicy({ subjects: [gains.principal], role, resources: ['projects:42:**'], effect: 'allow' });

    merlin = await system.startMerlin();
    await waitHealthy([merlin.url]);
    const stats = await httpJson<{ subscription: { startedFrom: string }; cache: { decisionEntries: number } }>(`${merlin.url}/admin/cache/stats`, {
      token: TEST_CACHE_ADMIN_TOKEN,
    });
    expect(stats.body.subscription.startedFrom).toBe('snapshot');

    const spy = await RpcSpy.start(system.nats.url, [RPC_SUBJECTS.check, RPC_SUBJECTS.resolveIdentity]);
    try {
      // What did not change is served from the restored caches: not one authority call.
      expect(await get(merlin.url, '/v1/projects/42/models', keeps.token)).toBe(200);
      expect(spy.requests).toBe(0);
    } finally {
      await spy.close();
    }
    // What changed while it was down is correct on the first request, without a consistency token.
    expect(await get(merlin.url, '/v1/projects/42/models', loses.token)).toBe(403);
    expect(await get(merlin.url, '/v1/projects/42/models', gains.token)).toBe(200);
  });
});
