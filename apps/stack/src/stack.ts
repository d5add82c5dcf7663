import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DEV_OPERATOR_KEY } from '@iam/contracts';
import { ensureLocalNats, NatsServerProcess } from '@iam/local-nats';
import { startAuthority } from '../../iam-authority/src/bootstrap';
import { startMerlin } from '../../merlin/src/bootstrap';
import { startTuring } from '../../turing/src/bootstrap';
import { assertNatsReachable, assertPortsFree } from './preflight';
import { StackConfig, stackConfigFromEnv } from './stack-config';
import { findAuthConf, generateStackNatsUsers } from './stack-nats-users';

/** The whole system in one process. */
export interface RunningStack {
  config: StackConfig;
  natsUrl: string;
  /** The nats-server started for the stack, or null when one was already there. */
  natsProcess: NatsServerProcess | null;
  /** The operator's NATS login (for iamctl) when the stack started its own server with auth.conf. */
  operatorNatsEnv: Record<string, string> | null;
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
    // A server started here runs docker/nats/auth.conf with passwords generated for this run; each part logs in as its own user.
    const users = generateStackNatsUsers();
    const authConf = findAuthConf();
    let loginAs: ((user: 'authority' | 'turing' | 'merlin' | 'operator') => Record<string, string>) | null = null;
    if (config.natsUrlIsDefault) {
      const local = await ensureLocalNats({
        url: config.natsUrl,
        dataDir: join(config.dataRoot, 'nats'),
        logger,
        ...(authConf ? { auth: { includeFiles: [authConf], env: users.serverEnv } } : {}),
      });
      natsUrl = local.url;
      natsProcess = local.process;
      if (natsProcess && authConf) loginAs = users.clientEnv;
    }
    // The apps share one environment: give each its own port and the tokens explicitly
    // (so the banner can show the admin token and each app does not warn on its own).
    // `npm start` is dev mode: development defaults are allowed (with warnings) and said so in the banner.
    const common: NodeJS.ProcessEnv = {
      ...env,
      IAM_DEV_MODE: '1',
      // Warnings and errors only unless asked: the banner is what a newcomer reads.
      LOG_LEVEL: env.LOG_LEVEL?.trim() || 'warn',
      NATS_URL: natsUrl,
      IAM_SERVICE_TOKEN: config.serviceToken,
    };
    delete common.SERVICE_NAME;
    delete common.IAM_ADMIN_TOKEN;
    delete common.IAM_ADMIN_TOKENS;
    const login = (user: 'authority' | 'turing' | 'merlin') => (loginAs ? loginAs(user) : {});
    const authority = await startAuthority({
      ...common,
      ...login('authority'),
      ...(env.IAM_ADMIN_TOKENS ? { IAM_ADMIN_TOKENS: env.IAM_ADMIN_TOKENS } : { IAM_ADMIN_TOKEN: config.adminToken }),
      PORT: String(config.authorityPort),
      IAM_DATA_DIR: env.IAM_DATA_DIR ?? join(config.dataRoot, 'authority'),
    });
    started.push(authority);
    // Consumer services get their own cache-admin token, never the authority's admin token.
    // npm start is dev mode: the development operator key, which iamctl also uses under IAM_DEV_MODE=1 (no warning per app).
    const consumerEnv = { ...common, AUTHORITY_URL: authority.url, AUTHZ_ADMIN_TOKEN: config.cacheAdminToken, IAM_OPERATOR_KEY: env.IAM_OPERATOR_KEY?.trim() || DEV_OPERATOR_KEY };
    const turing = await startTuring({ ...consumerEnv, ...login('turing'), PORT: String(config.turingPort) });
    started.push(turing);
    const merlin = await startMerlin({ ...consumerEnv, ...login('merlin'), PORT: String(config.merlinPort) });
    started.push(merlin);
    let closing: Promise<void> | undefined;
    return {
      config,
      natsUrl,
      natsProcess,
      operatorNatsEnv: loginAs ? loginAs('operator') : null,
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
    ...(stack.operatorNatsEnv
      ? [
          'NATS runs with docker/nats/auth.conf and passwords generated for this run; for iamctl:',
          `  export ${Object.entries(stack.operatorNatsEnv)
            .map(([name, value]) => `${name}=${value}`)
            .join(' ')} IAM_DEV_MODE=1`,
        ]
      : []),
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
