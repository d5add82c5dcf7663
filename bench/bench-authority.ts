import type { RunningAuthority } from '../apps/iam-authority/src/bootstrap';
import { startTestAuthority } from '../test/support/authority';
import { createTestDatabase } from '../test/support/database';
import { NatsTestServer, startNatsServer } from '../test/support/nats-server';

/** What {@link startBenchAuthority} started. */
export interface BenchAuthority {
  nats: NatsTestServer;
  authority: RunningAuthority;
}

/**
 * A nats-server on a free port, a PGlite database and an authority on them
 * (test/support/authority.ts: dev mode, the test credentials); each part's stop is pushed on
 * `cleanups` (the caller runs them in reverse). `env` adds or overrides
 * authority variables (e.g. `IAM_RATE_LIMIT_PER_MINUTE: '0'`).
 */
export async function startBenchAuthority(cleanups: Array<() => Promise<unknown>>, env: Record<string, string> = {}): Promise<BenchAuthority> {
  const nats = await startNatsServer();
  cleanups.push(() => nats.dispose());
  const db = await createTestDatabase('pglite');
  cleanups.push(() => db.dispose());
  // Warnings and errors only (LOG_LEVEL overrides): its info lines are not bench output.
  const authority = await startTestAuthority(nats, db, { env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env } });
  cleanups.push(() => authority.close());
  return { nats, authority };
}
