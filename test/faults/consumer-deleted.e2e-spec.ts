import { FAULT_MAX_STALENESS_MS } from './support/fault-system';
import { useFaultSystem } from './support/fault-suite';
import { allAllowed, Grantee, warm } from './support/grantee';
import { consumerNames, deleteConsumers } from './support/nats-tools';
import { sleep, violations } from './support/stale-allow-probe';
import type { ProbeReport } from './support/stale-allow-probe';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/*
 * Fault 7 (issue 8): another client deletes the services' consumers, then a
 * revoke is committed. Seen on main: stale allows from entries up to 9.9 s
 * old (nothing noticed until heartbeats were missed). A consumer is
 * disposable: it is re-created from the last applied sequence + 1, and
 * until then the lease bounds what is served.
 */
const ROUNDS = 3;
const CONSUMER_PREFIX = 'authz_turing';

describe('fault 7: a service\'s consumer deleted by another client', () => {
  const suite = useFaultSystem({ turings: 2 });

  it(`serves no stale allow beyond ${FAULT_MAX_STALENESS_MS} ms, and re-creates the consumers without a restart, over ${ROUNDS} rounds`, async () => {
    const { system } = suite;
    const grantee = await Grantee.create(system.admin, 'consumer');
    const probes = suite.probes(grantee);
    let revision = await grantee.grant();
    probes.granted(revision);
    probes.start();
    let busy!: ProbeReport;
    let idle!: ProbeReport;
    const recreatedWithinMs: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        if (round > 0) {
          probes.changing();
          revision = await grantee.grant();
          probes.granted(revision);
        }
        expect(allAllowed(await warm(system.turings, grantee, revision))).toBe(true);
        probes.idle.hold();
        const deleted = await deleteConsumers(system.nc, CONSUMER_PREFIX);
        expect(deleted.length).toBeGreaterThanOrEqual(system.turings.length);
        const deletedAt = Date.now();
        const revoke = await grantee.revoke();
        probes.revoked(revoke.revision, revoke.at);
        // New consumers (other names), one per replica, without restarting anything.
        await waitFor(async () => (await consumerNames(system.nc, CONSUMER_PREFIX)).filter((name) => !deleted.includes(name)).length >= system.turings.length, {
          timeoutMs: 30_000,
          intervalMs: 100,
          description: 'every replica to re-create its consumer',
        });
        recreatedWithinMs.push(Date.now() - deletedAt);
        await sleep(Math.max(0, FAULT_MAX_STALENESS_MS + 1000 - (Date.now() - deletedAt)));
        await system.waitFresh(30_000);
        probes.idle.release();
        await sleep(1000);
      }
    } finally {
      ({ busy, idle } = await probes.stop());
      suite.summarize(`fault 7: consumer deleted (busy route); consumers re-created within ${recreatedWithinMs.join(', ')} ms`, busy);
      suite.summarize('fault 7: consumer deleted (idle route)', idle);
    }
    expect([...violations(busy), ...violations(idle)]).toEqual([]);
    expect(busy.revokes).toBe(ROUNDS);
    expect(idle.afterRevoke.denied).toBeGreaterThan(0);
  });
});
