import { performance } from 'node:perf_hooks';
import { request } from '../support/http';
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

    // Per replica, after the kill: each stretch of time it was seen degraded (or unreachable), to the first
    // fresh answer after it; the first stretch counts from the kill itself. A replica stuck until the node
    // returns is one stretch of a minute; a later delivery stall that re-creating the consumer ends (under
    // load on two cores) is a short one, and is reported. Each must end within FRESH_AGAIN_WITHIN_MS.
    const unfresh: Array<Array<{ from: number; to?: number }>> = system.turings.map(() => []);
    let watching = true;
    let killedAt = 0;
    const watcher = (async () => {
      while (watching) {
        const answers = await Promise.all(system.turings.map((t) => health(t)));
        const now = performance.now();
        answers.forEach((answer, i) => {
          if (!killedAt) return;
          const open = unfresh[i].at(-1)?.to === undefined ? unfresh[i].at(-1) : undefined;
          if (!isFresh(answer) && !open) unfresh[i].push({ from: unfresh[i].length === 0 ? killedAt : now });
          else if (isFresh(answer) && open) open.to = now;
        });
        await sleep(100);
      }
    })();

    let leader = '';
    let revokesBefore = 0;
    let report!: ProbeReport;
    let longestMs: number[] = [];
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
      const end = performance.now();
      longestMs = unfresh.map((stretches) => stretches.reduce((max, { from, to }) => Math.max(max, Math.round((to ?? end) - from)), 0));
      const described = unfresh.map((stretches, i) => `turing#${i + 1}: ${stretches.map(({ from, to }) => `+${Math.round(from - killedAt)}..${to === undefined ? 'end' : `+${Math.round(to - killedAt)}`}`).join(', ') || 'none'}`);
      suite.summarize(
        `fault 6: cluster leader ${leader} killed (${report.revokes - revokesBefore} revokes after the kill); degraded after the kill (ms from the kill): ${described.join('; ')}`,
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
    const last = (await request<{ revision: number }>(`${system.authorities[0].url}/health`)).json!.revision;
    expect(revisions[revisions.length - 1]).toBe(last);
    console.log(`[fault-suite] fault 6: ${events.length} events on the stream, revisions 1..${last}, none lost or duplicated`);
    // Every replica fresh again within a few seconds, each time, not when the node came back.
    if (longestMs.some((ms) => ms >= FRESH_AGAIN_WITHIN_MS)) console.log(`[fault-suite] fault 6: a replica stayed degraded\n${await system.diagnostics(40)}`);
    for (const ms of longestMs) expect(ms).toBeLessThan(FRESH_AGAIN_WITHIN_MS);
    // ...and still fresh now, the node still down, without any restart.
    await system.waitFresh(FRESH_AGAIN_WITHIN_MS);
  });
});
