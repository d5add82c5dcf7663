import { AuthorityAdminClient } from '../../apps/iamctl/src/clients/authority-admin-client';
import type { AppProcess } from '../support/app-process';
import { databaseKinds } from '../support/database';
import { waitFor } from '../support/wait';
import { TEST_ADMIN_TOKEN } from '../support/credentials';
import { FAULT_MAX_STALENESS_MS } from './support/fault-system';
import { useFaultSystem } from './support/fault-suite';
import { allAllowed, Grantee, warm } from './support/grantee';
import { readEvents } from './support/nats-tools';
import { sleep, violations } from './support/stale-allow-probe';
import type { ProbeReport } from './support/stale-allow-probe';

jest.setTimeout(150_000);

/*
 * Fault 5 (issue 8): two authority replicas on one PostgreSQL database; the
 * one holding the relay is frozen (SIGSTOP: its database session, and so
 * its lock, stay open) while the other commits a revoke. The standby must
 * take the relay (and the checkpoints) over within about a second; until
 * the revoke is on the stream, the caches' lease bounds what they serve.
 *
 * PostgreSQL only (two processes on one PGlite directory is not a thing):
 * .ci/run sets TEST_DATABASE_URL whenever PostgreSQL answers; without it the
 * suite is skipped, like the other PostgreSQL suites (relay-replicas,
 * relay-takeover, model-replicas).
 */
const postgres = databaseKinds().includes('postgres');
const ROUNDS = 2;

interface AuthorityHealth {
  revision: number | null;
  relay: { active: boolean; published: number; lastError: string | null };
}

async function authorityHealth(app: AppProcess): Promise<AuthorityHealth | null> {
  try {
    const response = await fetch(`${app.url}/health`, { signal: AbortSignal.timeout(1000) });
    return (await response.json()) as AuthorityHealth;
  } catch {
    return null;
  }
}

(postgres ? describe : describe.skip)('fault 5: the active relay stalled (authority SIGSTOPped) while a second replica commits a revoke', () => {
  const suite = useFaultSystem({ database: 'postgres', authorities: 2, turings: 2 });

  it(`serves no stale allow beyond ${FAULT_MAX_STALENESS_MS} ms; the standby publishes the revoke; nothing duplicated (${ROUNDS} rounds)`, async () => {
    const { system } = suite;
    const [a, b] = system.authorities;
    const grantee = await Grantee.create(system.admin, 'relay');
    const probes = suite.probes(grantee);
    let revision = await grantee.grant();
    probes.granted(revision);
    probes.start();
    let busy!: ProbeReport;
    let idle!: ProbeReport;
    const takeoverMs: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const active = await waitFor(
          async () => {
            const [ha, hb] = await Promise.all([authorityHealth(a), authorityHealth(b)]);
            return ha?.relay.active !== hb?.relay.active ? (ha?.relay.active ? a : b) : null;
          },
          { timeoutMs: 20_000, description: 'exactly one active relay' },
        );
        const standby = active === a ? b : a;
        const standbyAdmin = new AuthorityAdminClient(standby.url!, TEST_ADMIN_TOKEN);
        if (round > 0) {
          probes.changing();
          revision = await grantee.grant(standbyAdmin);
          probes.granted(revision);
          await system.waitFresh(30_000);
        }
        expect(allAllowed(await warm(system.turings, grantee, revision))).toBe(true);
        probes.idle.hold();
        active.pause();
        try {
          const revoke = await grantee.revoke(standbyAdmin);
          probes.revoked(revoke.revision, revoke.at);
          const onStream = await waitFor(async () => (await readEvents(system.nc)).some((e) => e.event.revision === revoke.revision), {
            timeoutMs: 30_000,
            intervalMs: 100,
            description: `the standby to publish revision ${revoke.revision} while the active relay is frozen`,
          }).then(() => performance.now());
          takeoverMs.push(Math.round(onStream - revoke.at));
          expect((await authorityHealth(standby))?.relay.active).toBe(true);
          await sleep(FAULT_MAX_STALENESS_MS + 1000 - (performance.now() - revoke.at));
          await system.waitFresh(30_000);
          probes.idle.release();
          await sleep(1000);
        } finally {
          active.resume();
        }
        // The thawed former relay must not publish anything twice.
        await sleep(1500);
      }
    } finally {
      ({ busy, idle } = await probes.stop());
      suite.summarize(`fault 5: active relay frozen (busy route); revoke on the stream ${takeoverMs.join(', ')} ms after its response`, busy);
      suite.summarize('fault 5: active relay frozen (idle route, held until fresh again)', idle);
    }
    expect([...violations(busy), ...violations(idle)]).toEqual([]);
    expect(idle.afterRevoke.denied).toBeGreaterThan(0);
    const events = await readEvents(system.nc);
    const revisions = events.map((e) => e.event.revision);
    expect(new Set(events.map((e) => e.event.id)).size).toBe(events.length);
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    expect(new Set(revisions).size).toBe(revisions.length);
    expect(revisions).toEqual(expect.arrayContaining(grantee.revisions));
  });
});

