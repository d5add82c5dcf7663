import { AuthorityAdminClient } from '../../apps/iamctl/src/clients/authority-admin-client';
import { TEST_ADMIN_TOKEN } from '../support/credentials';
import { cacheStats } from './support/fault-system';
import { useFaultSystem } from './support/fault-suite';
import { allAllowed, getGuarded, Grantee, warm } from './support/grantee';
import { publishForgedEvent, readEvents } from './support/nats-tools';
import { sleep, violations } from './support/stale-allow-probe';
import type { ProbeReport } from './support/stale-allow-probe';
import { waitFor } from '../support/wait';

jest.setTimeout(150_000);

/*
 * Fault 8 (issue 8): a schema-valid event carrying revision 10^12, published
 * straight onto the stream by a client that bypasses the authority (NATS
 * without auth, as `npm start` runs it). Seen on main: consistency-token
 * reads became stale allows (39-66 of 90), the revision guard refused every
 * load afterwards (9 authority calls per request) and a restarted authority
 * adopted revision 10^12. docs/architecture.md#revision-integrity: removing entries
 * is safe, trusting a revision is not.
 */
const FORGED_REVISION = 1e12;
const ROUNDS = 5;
const CACHED_READS = 30;

describe('fault 8: a forged event with revision 10^12 on the stream', () => {
  const suite = useFaultSystem({ turings: 2 });

  it('keeps consistency-token reads correct, caching working, and the authority counting its own revisions', async () => {
    const { system } = suite;
    const grantee = await Grantee.create(system.admin, 'forged');
    const probes = suite.probes(grantee);
    let revision = await grantee.grant();
    expect(allAllowed(await warm(system.turings, grantee, revision))).toBe(true);
    const forged = await publishForgedEvent(system.nc, FORGED_REVISION);
    await sleep(500);

    // 1. Consistency-token reads stay correct through grant/revoke rounds.
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
        // Read-your-writes still holds for the grant: every replica allows with its revision.
        expect(allAllowed(await warm(system.turings, grantee, revision))).toBe(true);
        const revoke = await grantee.revoke();
        probes.revoked(revoke.revision, revoke.at);
        // ...and for the revoke: with its revision, every replica denies at once.
        expect(await Promise.all(system.turings.map((t) => getGuarded(t, grantee.token, revoke.revision)))).toEqual(system.turings.map(() => 403));
        await sleep(700);
      }
    } finally {
      ({ busy, idle } = await probes.stop());
      suite.summarize('fault 8: forged revision 10^12 (busy route)', busy);
      suite.summarize('fault 8: forged revision 10^12 (idle route)', idle);
    }
    expect([...violations(busy), ...violations(idle)]).toEqual([]);

    // 2. Caching keeps working: repeated reads of one granted key are cache hits, not authority calls.
    revision = await grantee.grant();
    expect(allAllowed(await warm(system.turings, grantee, revision))).toBe(true);
    for (const turing of system.turings) {
      const before = (await cacheStats(turing)).cache;
      for (let i = 0; i < CACHED_READS; i++) expect(await getGuarded(turing, grantee.token)).toBe(200);
      const after = (await cacheStats(turing)).cache;
      const hits = after.hits - before.hits;
      const misses = after.misses - before.misses;
      console.log(`[fault-suite] fault 8: ${CACHED_READS} reads after the forged event at ${turing.url}: ${hits} cache hits, ${misses} misses, ${after.guardRejections - before.guardRejections} guard rejections`);
      // Each read looks up an identity and a decision: 2 hits per read when cached.
      expect(hits).toBeGreaterThanOrEqual(CACHED_READS);
      expect(misses).toBeLessThanOrEqual(4);
      expect(after.appliedRevision).toBeLessThan(FORGED_REVISION);
    }

    // 3. The authority's next revision is its own: now, and after a restart with a forged event newest on the stream.
    const own = Math.max(...grantee.revisions);
    const next = await system.admin.createPrincipal(`user:after-forgery-${process.pid}@example.com`);
    expect(next.revision).toBe(own + 1);
    await waitFor(async () => (await readEvents(system.nc)).some((e) => e.event.revision === next.revision), { description: `revision ${next.revision} on the stream` });
    // A second lone forgery (not contiguous with the first: the acceptance is about one forged event, and
    // contiguous forgeries corroborate each other, a residual risk the authority documents), newest on the stream.
    const forgedAgain = await publishForgedEvent(system.nc, 2 * FORGED_REVISION);
    const events = await readEvents(system.nc);
    expect(events[events.length - 1].event.id).toBe(forgedAgain.event.id);
    expect(events.map((e) => e.event.id)).toContain(forged.event.id);
    await system.authorities[0].stop();
    const restarted = await system.startAuthority();
    const admin = new AuthorityAdminClient(restarted.url!, TEST_ADMIN_TOKEN);
    // Give the restarted relay time to reach the stream (where main aligned its counter with the forged revision).
    await waitFor(async () => ((await (await fetch(`${restarted.url}/health`)).json()) as { nats?: string }).nats === 'connected', {
      description: 'the restarted authority to connect to NATS',
    });
    await sleep(1500);
    const afterRestart = await admin.createPrincipal(`user:after-restart-${process.pid}@example.com`);
    expect(afterRestart.revision).toBe(next.revision + 1);
  });
});
