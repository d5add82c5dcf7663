import { FAULT_MAX_STALENESS_MS } from './support/fault-system';
import { useFaultSystem } from './support/fault-suite';
import { allAllowed, Grantee, warm } from './support/grantee';
import { sleep, violations } from './support/stale-allow-probe';
import type { ProbeReport } from './support/stale-allow-probe';

jest.setTimeout(120_000);

/*
 * Fault 1 (issue 8): nats-server SIGKILLed, a revoke committed while it is
 * down (the event waits in the authority's outbox), the server restarted on
 * the same storage and port. Seen on main: once every replica reported
 * healthy again, the revoked grant was still served from an old entry
 * (degraded mode cleared on reconnect, before the relay had published).
 * The busy probe runs through the outage; the idle one is held from before
 * the kill until every replica reports fresh again, so it meets entries
 * nobody re-read during the outage. Repeated: the window is racy.
 */
const ROUNDS = 3;

describe('fault 1: nats-server SIGKILL, revoke while it is down, restart on the same storage', () => {
  // The relay's safety poll is set far beyond the test: only a wake-up on reconnect publishes the revoke in time.
  const suite = useFaultSystem({ turings: 2, authorityEnv: { IAM_RELAY_POLL_MS: '120000' } });

  it(`serves no stale allow beyond ${FAULT_MAX_STALENESS_MS} ms and none with x-iam-revision, over ${ROUNDS} rounds`, async () => {
    const { system } = suite;
    const grantee = await Grantee.create(system.admin, 'kill');
    const probes = suite.probes(grantee);
    let revision = await grantee.grant();
    probes.granted(revision);
    probes.start();
    let busy!: ProbeReport;
    let idle!: ProbeReport;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        if (round > 0) {
          probes.changing();
          revision = await grantee.grant();
          probes.granted(revision);
        }
        expect(allAllowed(await warm(system.turings, grantee, revision))).toBe(true);
        await sleep(200);
        probes.idle.hold();
        await system.server!.kill();
        const revoke = await grantee.revoke();
        probes.revoked(revoke.revision, revoke.at);
        // Down for longer than the bound, so a cache trusting its old entries would show it.
        await sleep(FAULT_MAX_STALENESS_MS + 1500);
        await system.server!.restart();
        // Healthy again (live, not degraded) without any restart of the services...
        await system.waitFresh(30_000);
        probes.idle.release();
        // ...and no stale allow after that either (main: healthy, yet serving the old allow).
        await sleep(FAULT_MAX_STALENESS_MS + 500);
      }
    } finally {
      ({ busy, idle } = await probes.stop());
      suite.summarize('fault 1: nats-server SIGKILL + restart (busy route)', busy);
      suite.summarize('fault 1: nats-server SIGKILL + restart (idle route, held through the outage)', idle);
    }
    expect([...violations(busy), ...violations(idle)]).toEqual([]);
    expect(busy.revokes).toBe(ROUNDS);
    expect(busy.afterRevoke.denied).toBeGreaterThan(0);
    expect(idle.afterRevoke.denied).toBeGreaterThan(0);
  });
});
