import { performance } from 'node:perf_hooks';
import { createReaderRole, createUser, get, percentile, TestUser, waitHealthy } from './support/http';
import { TestSystem } from './support/system';

/*
 * Issue 4, acceptance 1: revoke a role binding at the authority; the next
 * request at turing (two replicas) AND merlin is denied. 200 repetitions:
 * with the returned x-iam-revision, zero stale allows; without it, the
 * denial is observed within 50 ms in every repetition.
 */
const REPETITIONS = 200;
const DENIAL_BOUND_MS = 50;

describe('revoking a role binding reaches every service (acceptance 1)', () => {
  let system: TestSystem;
  let user: TestUser;
  let role: string;

  beforeAll(async () => {
    system = await TestSystem.start({ turingReplicas: 2, merlinReplicas: 1 });
    await waitHealthy(system.services().map((s) => s.app.url));
    user = await createUser(system.admin, 'revoke');
    role = await createReaderRole(system.admin);
  }, 60_000);

  afterAll(async () => {
    await system?.dispose();
  });

  const paths: Record<string, string> = { turing: '/v1/projects/42/routers', merlin: '/v1/projects/42/models' };

  it(`denies at turing x2 and merlin after every one of ${REPETITIONS} revocations`, async () => {
    const services = system.services();
    const staleAllowsWithRevision: string[] = [];
    const denialMs: number[] = [];
    const slow: string[] = [];

    for (let rep = 0; rep < REPETITIONS; rep++) {
      const grant = await system.admin.createPolicy({ subjects: [user.principal], role, resources: ['projects:42:**'], effect: 'allow' });
      // Read-your-writes: with the grant's revision every instance allows at once (and caches the allow).
      const warm = await Promise.all(services.map((s) => get(s.app.url, paths[s.name], user.token, grant.revision)));
      expect(warm).toEqual(services.map(() => 200));

      const revoke = await system.admin.deletePolicy(grant.id);
      const since = performance.now();
      await Promise.all(
        services.map(async (s, i) => {
          const [observedMs, withRevision] = await Promise.all([
            (async () => {
              // No consistency token: the instance's cache decides; poll until it denies.
              for (;;) {
                const status = await get(s.app.url, paths[s.name], user.token);
                if (status === 403) return performance.now() - since;
                expect(status).toBe(200);
                if (performance.now() - since > 5000) throw new Error(`${s.name}#${i} still allows 5 s after the revoke (rep ${rep})`);
              }
            })(),
            get(s.app.url, paths[s.name], user.token, revoke.revision),
          ]);
          if (withRevision !== 403) staleAllowsWithRevision.push(`rep ${rep} ${s.name}#${i}: ${withRevision}`);
          denialMs.push(observedMs);
          if (observedMs > DENIAL_BOUND_MS) slow.push(`rep ${rep} ${s.name}#${i}: ${observedMs.toFixed(1)} ms`);
        }),
      );
    }

    // Reported for the README / the issue: the distribution behind the bound.
    console.log(
      `revoke -> denial without header over ${denialMs.length} observations: p50 ${percentile(denialMs, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(denialMs, 99).toFixed(1)} ms, max ${Math.max(...denialMs).toFixed(1)} ms`,
    );
    expect(staleAllowsWithRevision).toEqual([]);
    expect(slow).toEqual([]);
  }, 240_000);
});
