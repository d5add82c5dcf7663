import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { ensureLocalNats, NatsServerProcess } from '@iam/local-nats';
import { startAuthority } from '../../iam-authority/src/bootstrap';
import { startMerlin } from '../../merlin/src/bootstrap';
import { startTuring } from '../../turing/src/bootstrap';
import { assertNatsReachable, assertPortsFree } from './preflight';
import { StackConfig, stackConfigFromEnv } from './stack-config';

/** The whole system in one process. */
export interface RunningStack {
  config: StackConfig;
  natsUrl: string;
  /** The nats-server started for the stack, or null when one was already there. */
  natsProcess: NatsServerProcess | null;
  authorityUrl: string;
  turingUrl: string;
  merlinUrl: string;
  /** Stops merlin, turing, the authority, then the nats-server it started. Idempotent. */
  close(): Promise<void>;
}

interface Closeable {
  close(): Promise<void>;
}

/**
 * Starts NATS (if needed), the authority, turing and merlin, in that order,
 * each through its own bootstrap function with its own environment. If a
 * part fails to start, what already runs is stopped before the error is rethrown.
 */
export async function startStack(env: NodeJS.ProcessEnv = process.env): Promise<RunningStack> {
  const logger = new Logger('Stack');
  const config = stackConfigFromEnv(env);
  const started: Closeable[] = [];
  let natsProcess: NatsServerProcess | null = null;
  const stopAll = async (): Promise<void> => {
    for (const part of started.reverse()) {
      await part.close().catch((error: unknown) => logger.error(`stopping failed: ${(error as Error).message}`));
    }
    started.length = 0;
    if (natsProcess) {
      await natsProcess.stop().catch((error: unknown) => logger.error(`stopping nats-server failed: ${(error as Error).message}`));
      natsProcess = null;
    }
  };
  // Before anything is touched: a taken port or an unreachable NATS fails the start at once.
  const host = env.HOST?.trim() || '127.0.0.1';
  await assertPortsFree(host, [
    { variable: 'AUTHORITY_PORT', port: config.authorityPort },
    { variable: 'TURING_PORT', port: config.turingPort },
    { variable: 'MERLIN_PORT', port: config.merlinPort },
  ]);
  if (!config.natsUrlIsDefault) await assertNatsReachable(config.natsUrl);
  try {
    let natsUrl = config.natsUrl;
    if (config.natsUrlIsDefault) {
      const local = await ensureLocalNats({ url: config.natsUrl, dataDir: join(config.dataRoot, 'nats'), logger });
      natsUrl = local.url;
      natsProcess = local.process;
    }
    // The apps share one environment: give each its own port and the tokens explicitly
    // (so the banner can show the admin token and each app does not warn on its own).
    const common: NodeJS.ProcessEnv = {
      ...env,
      // Warnings and errors only unless asked: the banner is what a newcomer reads.
      LOG_LEVEL: env.LOG_LEVEL?.trim() || 'warn',
      NATS_URL: natsUrl,
      IAM_ADMIN_TOKEN: config.adminToken,
      IAM_SERVICE_TOKEN: config.serviceToken,
    };
    delete common.SERVICE_NAME;
    const authority = await startAuthority({ ...common, PORT: String(config.authorityPort), IAM_DATA_DIR: env.IAM_DATA_DIR ?? join(config.dataRoot, 'authority') });
    started.push(authority);
    const consumerEnv = { ...common, AUTHORITY_URL: authority.url };
    const turing = await startTuring({ ...consumerEnv, PORT: String(config.turingPort) });
    started.push(turing);
    const merlin = await startMerlin({ ...consumerEnv, PORT: String(config.merlinPort) });
    started.push(merlin);
    let closing: Promise<void> | undefined;
    return {
      config,
      natsUrl,
      natsProcess,
      authorityUrl: authority.url,
      turingUrl: turing.url,
      merlinUrl: merlin.url,
      close: () => (closing ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The banner `npm start` prints: where everything listens and what to run next. */
export function stackBanner(stack: RunningStack, env: NodeJS.ProcessEnv = process.env): string {
  const { config } = stack;
  const storage = env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${env.IAM_DATA_DIR ?? join(config.dataRoot, 'authority')}`;
  const nats = stack.natsProcess ? `started here (pid ${stack.natsProcess.pid}, data in ${stack.natsProcess.dataDir})` : 'already running';
  const token = config.adminTokenIsDefault ? `${config.adminToken}   (development default; set IAM_ADMIN_TOKEN to change it)` : '(from IAM_ADMIN_TOKEN)';
  const rule = '-'.repeat(72);
  return [
    rule,
    'IAM cache invalidation stack is running',
    `  authority  ${stack.authorityUrl}   ${storage}`,
    `  turing     ${stack.turingUrl}`,
    `  merlin     ${stack.merlinUrl}`,
    `  nats       ${stack.natsUrl}   ${nats}`,
    `Admin token for local use: ${token}`,
    'Next, in another terminal:',
    '  npm run demo                        grant, revoke, and watch both services deny',
    '  npm run -s iamctl -- stream status  the event stream',
    '  npm run -s iamctl -- cache stats    every cache instance',
    'Logs: warnings and errors (LOG_LEVEL=log npm start shows every request and audit line).',
    'Ctrl-C stops everything.',
    rule,
    '',
  ].join('\n');
}
