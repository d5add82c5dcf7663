import { FAULT_MAX_STALENESS_MS } from './support/fault-system';
import { useFaultSystem } from './support/fault-suite';
import { allAllowed, Grantee, warm } from './support/grantee';
import { sleep, violations } from './support/stale-allow-probe';
import type { ProbeReport } from './support/stale-allow-probe';

jest.setTimeout(120_000);

/*
 * Fault 2 (issue 8): nats-server frozen (SIGSTOP: sockets stay open, nothing
 * is answered, no disconnect is seen) for longer than maxStalenessMs, a
 * revoke committed during the freeze, then SIGCONT. Seen on main: ~50 stale
 * allows per run from entries up to 6.9 s old; replicas noticed only after
 * 4.4-5.8 s. Silence is not proof of freshness: the lease must lapse.
 */
const ROUNDS = 3;
const FREEZE_MS = FAULT_MAX_STALENESS_MS + 2000;

describe('fault 2: nats-server SIGSTOP longer than maxStalenessMs, revoke during it, SIGCONT', () => {
  const suite = useFaultSystem({ turings: 2 });

  it(`serves no stale allow beyond ${FAULT_MAX_STALENESS_MS} ms and none with x-iam-revision, over ${ROUNDS} rounds`, async () => {
    const { system } = suite;
    const grantee = await Grantee.create(system.admin, 'freeze');
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
        const frozenAt = Date.now();
        await system.server!.pause();
        try {
          const revoke = await grantee.revoke();
          probes.revoked(revoke.revision, revoke.at);
          await sleep(Math.max(0, FREEZE_MS - (Date.now() - frozenAt)));
        } finally {
          await system.server!.resume();
        }
        // Requests right after the thaw, on entries nobody read during the freeze.
        probes.idle.release();
        await system.waitFresh(30_000);
        await sleep(1000);
      }
    } finally {
      ({ busy, idle } = await probes.stop());
      suite.summarize('fault 2: nats-server SIGSTOP (busy route)', busy);
      suite.summarize('fault 2: nats-server SIGSTOP (idle route, held through the freeze)', idle);
    }
    expect([...violations(busy), ...violations(idle)]).toEqual([]);
    expect(busy.revokes).toBe(ROUNDS);
    expect(busy.afterRevoke.denied).toBeGreaterThan(0);
    expect(idle.afterRevoke.denied).toBeGreaterThan(0);
  });
});
