import { performance } from 'node:perf_hooks';
import { health, isFresh } from './support/fault-system';
import { useFaultSystem } from './support/fault-suite';
import { Grantee, warm } from './support/grantee';
import { readEvents } from './support/nats-tools';
import { ProbeReport, sleep, violations } from './support/stale-allow-probe';

jest.setTimeout(240_000);

/*
 * Fault 6 (issue 8): a 3-node JetStream cluster on loopback, R3 IAM_EVENTS.
 * The stream leader is SIGKILLed during a grant/revoke loop and kept down
 * for over a minute. Seen on main: nothing lost (good), but revocation lag
 * of 9.8-11 s during the failover, and a replica whose consumer lived on the
 * dead node stayed degraded until that node came back (65 s and 194 s).
 * Expected: no event lost or duplicated (the stream against the authority's
 * revisions), no stale allow with the consistency token, none later than
 * maxStalenessMs, every replica fresh again within a few seconds, without
 * any restart.
 */
const DOWN_MS = 62_000;
/** "Within a few seconds", with room for two busy cores. */
const FRESH_AGAIN_WITHIN_MS = 15_000;

describe('fault 6: cluster stream leader killed during a grant/revoke loop, kept down for a minute', () => {
  const suite = useFaultSystem({ nats: 'cluster', turings: 2 }, 120_000);

  it('loses and duplicates no event, serves no stale allow beyond the bound, and every replica is fresh again within seconds', async () => {
    const { system } = suite;
    const cluster = system.cluster!;
    const grantee = await Grantee.create(system.admin, 'cluster');
    const probe = suite.probe(grantee);
    let revision = await grantee.grant();
    await warm(system.turings, grantee, revision);
    probe.granted(revision);
    probe.start();

    // The loop: grant, let it be read, revoke, let the revoke be probed.
    let looping = true;
    let loopError: unknown;
    const loop = (async () => {
      let granted = true;
      while (looping) {
        if (granted) {
          const revoke = await grantee.revoke();
          probe.revoked(revoke.revision, revoke.at);
        } else {
          probe.changing();
          revision = await grantee.grant();
          probe.granted(revision);
        }
        granted = !granted;
        await sleep(granted ? 150 : 350);
      }
    })().catch((error: unknown) => {
      loopError = error;
    });

    // Per replica: when it was last seen degraded (or unreachable) after the kill.
    const lastUnfresh = system.turings.map(() => 0);
    let watching = true;
    let killedAt = 0;
    const watcher = (async () => {
      while (watching) {
        const answers = await Promise.all(system.turings.map((t) => health(t)));
        answers.forEach((answer, i) => {
          if (killedAt && !isFresh(answer)) lastUnfresh[i] = performance.now();
        });
        await sleep(100);
      }
    })();

    let leader = '';
    let revokesBefore = 0;
    let report!: ProbeReport;
    let freshAgainMs: number[] = [];
    try {
      await sleep(5000);
      leader = await cluster.streamLeader(system.nc);
      revokesBefore = probe.report().revokes;
      killedAt = performance.now();
      await cluster.node(leader).process.kill();
      // Kept down for over a minute while the loop goes on.
      await sleep(DOWN_MS);
      expect(loopError).toBeUndefined();
      const newLeader = await cluster.streamLeader(system.nc);
      expect(newLeader).not.toBe(leader);
    } finally {
      looping = false;
      await loop;
      await sleep(1000);
      watching = false;
      await watcher;
      report = await probe.stop();
      freshAgainMs = lastUnfresh.map((t) => (t === 0 ? 0 : Math.round(t - killedAt)));
      suite.summarize(
        `fault 6: cluster leader ${leader} killed (${report.revokes - revokesBefore} revokes after the kill); replicas last degraded ${freshAgainMs.join(', ')} ms after the kill`,
        report,
      );
    }
    expect(violations(report)).toEqual([]);
    expect(report.revokes - revokesBefore).toBeGreaterThan(20);
    expect(loopError).toBeUndefined();

    // Nothing lost, nothing duplicated: the stream holds exactly the authority's revisions, once each.
    const events = await readEvents(system.nc);
    const revisions = events.map((e) => e.event.revision);
    expect(new Set(events.map((e) => e.event.id)).size).toBe(events.length);
    expect(revisions).toEqual([...grantee.revisions].sort((x, y) => x - y));
    const last = ((await (await fetch(`${system.authorities[0].url}/health`)).json()) as { revision: number }).revision;
    expect(revisions[revisions.length - 1]).toBe(last);
    console.log(`[fault-suite] fault 6: ${events.length} events on the stream, revisions 1..${last}, none lost or duplicated`);
    // Every replica fresh again within a few seconds of the kill, not when the node came back.
    if (freshAgainMs.some((ms) => ms >= FRESH_AGAIN_WITHIN_MS)) console.log(`[fault-suite] fault 6: a replica stayed degraded\n${await system.diagnostics(40)}`);
    for (const ms of freshAgainMs) expect(ms).toBeLessThan(FRESH_AGAIN_WITHIN_MS);
    // ...and still fresh now, the node still down, without any restart.
    await system.waitFresh(FRESH_AGAIN_WITHIN_MS);
  });
});
