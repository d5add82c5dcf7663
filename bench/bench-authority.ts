import { RunningAuthority, startAuthority } from '../apps/iam-authority/src/bootstrap';
import { createTestDatabase } from '../test/support/database';
import { NatsTestServer, startNatsServer } from '../test/support/nats-server';

/** The benches' development secrets (dev mode: short tokens allowed). */
export const BENCH_ADMIN_TOKEN = 'bench-admin-token';
export const BENCH_SERVICE_TOKEN = 'bench-service-token';

/** What {@link startBenchAuthority} started. */
export interface BenchAuthority {
  nats: NatsTestServer;
  authority: RunningAuthority;
}

/**
 * A nats-server on a free port, a PGlite database and an authority on them,
 * in dev mode with the bench tokens; each part's stop is pushed on
 * `cleanups` (the caller runs them in reverse). `env` adds or overrides
 * authority variables (e.g. `IAM_RATE_LIMIT_PER_MINUTE: '0'`).
 */
export async function startBenchAuthority(cleanups: Array<() => Promise<unknown>>, env: Record<string, string> = {}): Promise<BenchAuthority> {
  const nats = await startNatsServer();
  cleanups.push(() => nats.dispose());
  const db = await createTestDatabase('pglite');
  cleanups.push(() => db.dispose());
  const authority = await startAuthority({
    NATS_URL: nats.url,
    ...db.env,
    PORT: '0',
    HOST: '127.0.0.1',
    IAM_DEV_MODE: '1',
    IAM_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    IAM_SERVICE_TOKEN: BENCH_SERVICE_TOKEN,
    ...env,
  });
  cleanups.push(() => authority.close());
  return { nats, authority };
}
