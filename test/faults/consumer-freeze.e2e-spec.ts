import { turingName, useFaultSystem } from './support/fault-suite';
import { allAllowed, Grantee, warm } from './support/grantee';
import { sleep, violations } from './support/stale-allow-probe';
import type { ProbeReport } from './support/stale-allow-probe';

jest.setTimeout(240_000);

/*
 * Fault 3 (issue 8): a consumer service process frozen (SIGSTOP, as a long
 * GC pause or CPU throttling does) for longer than maxStalenessMs, a revoke
 * committed during the pause, requests right after SIGCONT. Seen on main:
 * 4-7 of 20 rounds served the revoked grant right after the resume (the
 * process answered from memory before reading the events that arrived
 * meanwhile). The lease must use the monotonic clock at read time, before
 * any event is read.
 *
 * Two kinds of request meet the thawed process: the busy probe's, sent
 * during the pause and queued in its socket, and the idle probe's, sent
 * right after SIGCONT. maxStalenessMs is 1000 here (rounds stay short); the
 * pause lasts past the bound and the transit margin after the revoke. The
 * last rounds pause longer than two consumer heartbeat intervals (the
 * consumer's pull expires in 5 s, heartbeats every 2.5 s), as the issue's
 * 8 s pauses did: the thawed process then also finds its heartbeats missed.
 */
const SHORT_ROUNDS = 20;
const LONG_ROUNDS = 3;
const ROUNDS = SHORT_ROUNDS + LONG_ROUNDS;
const MAX_STALENESS_MS = 1000;
const TRANSIT_MARGIN_MS = 750;
const LONG_PAUSE_MS = 6000;

describe('fault 3: a consumer process SIGSTOPped longer than maxStalenessMs, revoke during the pause', () => {
  const suite = useFaultSystem({ turings: 2, consumerEnv: { AUTHZ_MAX_STALENESS_MS: String(MAX_STALENESS_MS) } });

  it(`serves no stale allow right after SIGCONT in any of ${SHORT_ROUNDS} short and ${LONG_ROUNDS} long rounds`, async () => {
    const { system } = suite;
    const grantee = await Grantee.create(system.admin, 'pause');
    const probes = suite.probes(grantee);
    let revision = await grantee.grant();
    probes.granted(revision);
    probes.start();
    let busy!: ProbeReport;
    let idle!: ProbeReport;
    const staleRounds = new Set<number>();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const index = round % system.turings.length;
        const turing = system.turings[index];
        if (round > 0) {
          probes.changing();
          revision = await grantee.grant();
          probes.granted(revision);
        }
        expect(allAllowed(await warm(system.turings, grantee, revision))).toBe(true);
        const name = turingName(index);
        const staleAt = () => [...probes.busy.report().staleAllows, ...probes.idle.report().staleAllows].filter((s) => s.target === name).length;
        const before = staleAt();
        probes.idle.hold();
        probes.busy.frozenTarget(turingName(index));
        turing.pause();
        try {
          await sleep(100);
          const revoke = await grantee.revoke();
          probes.revoked(revoke.revision, revoke.at);
          const pauseAfterRevoke = round < SHORT_ROUNDS ? MAX_STALENESS_MS + TRANSIT_MARGIN_MS + 300 : LONG_PAUSE_MS;
          await sleep(pauseAfterRevoke - (performance.now() - revoke.at));
        } finally {
          turing.resume();
          probes.busy.thawedTarget(turingName(index));
          probes.idle.thawedTarget(turingName(index));
          probes.idle.release();
        }
        await sleep(600);
        // Only the frozen replica's stale allows: the other one may legitimately allow for a few ms after the revoke.
        if (staleAt() > before) staleRounds.add(round);
      }
    } finally {
      ({ busy, idle } = await probes.stop());
      suite.summarize(`fault 3: consumer SIGSTOP (busy route: requests queued during the pause); rounds with a stale allow at the frozen replica: ${staleRounds.size}/${ROUNDS} [${[...staleRounds].join(', ')}]`, busy);
      suite.summarize('fault 3: consumer SIGSTOP (idle route: requests right after SIGCONT)', idle);
    }
    expect([...violations(busy), ...violations(idle)]).toEqual([]);
    expect(busy.revokes).toBe(ROUNDS);
    expect(idle.afterRevoke.denied).toBeGreaterThan(0);
  });
});
