import { performance } from 'node:perf_hooks';
import { createReaderRole, createUser, get, percentile, TestUser, waitHealthy } from './support/http';
import { TestSystem } from './support/system';
import { START_UP_HOOK_TIMEOUT_MS } from '../support/wait';

/*
 * Issue 4, acceptance 1: revoke a role binding at the authority; the next
 * request at turing (two replicas) AND merlin is denied. 200 repetitions:
 * with the returned x-iam-revision, zero stale allows; without it, the
 * denial is observed in every repetition, within an order-of-magnitude
 * bound (1 s).
 *
 * Issue 4's 50 ms latency bound is a timing, and timings belong in
 * benchmarks (issue 8): `npm run bench` measures it (`revokeDenial`: p50,
 * p99, max and the count over 50 ms). Here it would only measure how busy
 * the machine is, next to the other suites on two cores.
 */
const REPETITIONS = 200;
const DENIAL_BOUND_MS = 1000;

describe('revoking a role binding reaches every service (acceptance 1)', () => {
  let system: TestSystem;
  let user: TestUser;
  let role: string;

  beforeAll(async () => {
    system = await TestSystem.start({ turingReplicas: 2, merlinReplicas: 1 });
    await waitHealthy(system.services().map((s) => s.app.url));
    user = await createUser(system.admin, 'revoke');
    role = await createReaderRole(system.admin);
  }, START_UP_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await system?.dispose();
  });

  const paths: Record<string, string> = { turing: '/v1/projects/42/routers', merlin: '/v1/projects/42/models' };

  /** Grants the reader role, checks every instance allows (and caches the allow), revokes; returns the revoke's revision and time. */
  async function grantWarmRevoke(services: ReturnType<TestSystem['services']>): Promise<{ revision: number; since: number }> {
    const grant = await system.admin.createPolicy({ subjects: [user.principal], role, resources: ['projects:42:**'], effect: 'allow' });
    // Read-your-writes: with the grant's revision every instance allows at once; the second read is served from its cache.
    expect(await Promise.all(services.map((s) => get(s.app.url, paths[s.name], user.token, grant.revision)))).toEqual(services.map(() => 200));
    expect(await Promise.all(services.map((s) => get(s.app.url, paths[s.name], user.token)))).toEqual(services.map(() => 200));
    const revoke = await system.admin.deletePolicy(grant.id);
    return { revision: revoke.revision, since: performance.now() };
  }

  it(`with x-iam-revision: zero stale allows at turing x2 and merlin over ${REPETITIONS} revocations`, async () => {
    const services = system.services();
    const staleAllows: string[] = [];
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const { revision } = await grantWarmRevoke(services);
      const statuses = await Promise.all(services.map((s) => get(s.app.url, paths[s.name], user.token, revision)));
      statuses.forEach((status, i) => status !== 403 && staleAllows.push(`rep ${rep} ${services[i].name}#${i}: ${status}`));
    }
    expect(staleAllows).toEqual([]);
  }, 240_000);

  it(`without the header: denial observed within ${DENIAL_BOUND_MS} ms at turing x2 and merlin in each of ${REPETITIONS} revocations`, async () => {
    const services = system.services();
    const denialMs: number[] = [];
    const slow: string[] = [];
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const { since } = await grantWarmRevoke(services);
      await Promise.all(
        services.map(async (s, i) => {
          // No consistency token: the instance's cache decides; poll back to back until it denies.
          for (;;) {
            const status = await get(s.app.url, paths[s.name], user.token);
            const elapsed = performance.now() - since;
            if (status === 403) {
              denialMs.push(elapsed);
              if (elapsed > DENIAL_BOUND_MS) slow.push(`rep ${rep} ${s.name}#${i}: ${elapsed.toFixed(1)} ms`);
              return;
            }
            expect(status).toBe(200);
            if (elapsed > 5000) throw new Error(`${s.name}#${i} still allows 5 s after the revoke (rep ${rep})`);
          }
        }),
      );
    }
    // Reported for the README / the issue: the distribution behind the bound.
    console.log(
      `revoke -> denial without header over ${denialMs.length} observations: p50 ${percentile(denialMs, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(denialMs, 99).toFixed(1)} ms, max ${Math.max(...denialMs).toFixed(1)} ms`,
    );
    expect(slow).toEqual([]);
  }, 240_000);
});
