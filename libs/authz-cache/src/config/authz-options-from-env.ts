import { Logger } from '@nestjs/common';
import { AuthzConfigError } from '../errors';
import { AUTHZ_DEFAULTS, AuthzCacheModuleOptions, DegradedPolicy, resolveAuthzOptions } from './authz-cache.options';

/** Development defaults used when the token variables are unset (with a warning). */
export const DEV_ADMIN_TOKEN = 'dev-admin-token';
export const DEV_SERVICE_TOKEN = 'dev-service-token';
const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
const DEFAULT_AUTHORITY_URL = 'http://127.0.0.1:3000';

const logger = new Logger('AuthzCacheConfig');

function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    throw new AuthzConfigError(name, `${name} must be an integer >= ${min} (default ${fallback}), got '${raw}'`);
  }
  return Number(raw);
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new AuthzConfigError(name, `${name} must be one of true|false|1|0|yes|no|on|off, got '${raw}'`);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, accepted: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(accepted as readonly string[]).includes(raw)) {
    throw new AuthzConfigError(name, `${name} must be one of ${accepted.join('|')} (default ${fallback}), got '${raw}'`);
  }
  return raw as T;
}

function token(env: NodeJS.ProcessEnv, name: string, devDefault: string): string {
  const value = text(env, name);
  if (value !== undefined) return value;
  logger.warn(`${name} is not set: using the development default (never do this in production)`);
  return devDefault;
}

/**
 * Reads the module's options from the environment (names in the README):
 * SERVICE_NAME, NATS_URL (comma-separated), NATS_USER/NATS_PASS or NATS_CREDS,
 * AUTHORITY_URL, AUTHZ_TRANSPORT, IAM_SERVICE_TOKEN, IAM_ADMIN_TOKEN and the
 * AUTHZ_* tuning variables. Throws {@link AuthzConfigError} naming the
 * variable and its accepted values; never echoes a token.
 */
export function authzOptionsFromEnv(env: NodeJS.ProcessEnv, defaults: { serviceName?: string } = {}): AuthzCacheModuleOptions {
  const serviceName = text(env, 'SERVICE_NAME') ?? defaults.serviceName;
  if (!serviceName) throw new AuthzConfigError('SERVICE_NAME', 'SERVICE_NAME must be set to the service name, e.g. turing');
  const servers = (text(env, 'NATS_URL') ?? DEFAULT_NATS_URL)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const user = text(env, 'NATS_USER');
  const pass = text(env, 'NATS_PASS');
  if ((user === undefined) !== (pass === undefined)) {
    throw new AuthzConfigError(user === undefined ? 'NATS_USER' : 'NATS_PASS', 'NATS_USER and NATS_PASS must be set together');
  }
  const credsFile = text(env, 'NATS_CREDS');
  if (credsFile !== undefined && user !== undefined) {
    throw new AuthzConfigError('NATS_CREDS', 'set either NATS_CREDS or NATS_USER/NATS_PASS, not both');
  }
  const options: AuthzCacheModuleOptions = {
    serviceName,
    nats: { servers, ...(user !== undefined ? { user, pass } : {}), ...(credsFile !== undefined ? { credsFile } : {}) },
    authority: {
      transport: oneOf(env, 'AUTHZ_TRANSPORT', ['nats', 'http'] as const, 'nats'),
      httpUrl: text(env, 'AUTHORITY_URL') ?? DEFAULT_AUTHORITY_URL,
      serviceToken: token(env, 'IAM_SERVICE_TOKEN', DEV_SERVICE_TOKEN),
    },
    adminToken: token(env, 'IAM_ADMIN_TOKEN', DEV_ADMIN_TOKEN),
    enabled: bool(env, 'AUTHZ_ENABLED', AUTHZ_DEFAULTS.enabled),
    maxDecisions: int(env, 'AUTHZ_MAX_DECISIONS', AUTHZ_DEFAULTS.maxDecisions, 1),
    maxIdentities: int(env, 'AUTHZ_MAX_IDENTITIES', AUTHZ_DEFAULTS.maxIdentities, 1),
    softTtlMs: int(env, 'AUTHZ_SOFT_TTL_MS', AUTHZ_DEFAULTS.softTtlMs, 1),
    hardTtlMs: int(env, 'AUTHZ_HARD_TTL_MS', AUTHZ_DEFAULTS.hardTtlMs, 1),
    maxStalenessMs: int(env, 'AUTHZ_MAX_STALENESS_MS', AUTHZ_DEFAULTS.maxStalenessMs, 0),
    checkpointIntervalMs: int(env, 'AUTHZ_CHECKPOINT_MS', AUTHZ_DEFAULTS.checkpointIntervalMs, 10),
    degradedPolicy: oneOf<DegradedPolicy>(env, 'AUTHZ_DEGRADED_POLICY', ['bounded', 'fail-closed'], AUTHZ_DEFAULTS.degradedPolicy),
    consistencyWaitMs: int(env, 'AUTHZ_CONSISTENCY_WAIT_MS', AUTHZ_DEFAULTS.consistencyWaitMs, 0),
    rebuildConcurrency: int(env, 'AUTHZ_REBUILD_CONCURRENCY', AUTHZ_DEFAULTS.rebuildConcurrency, 1),
    rebuildTopN: int(env, 'AUTHZ_REBUILD_TOP_N', AUTHZ_DEFAULTS.rebuildTopN, 0),
    resourceSegments: int(env, 'AUTHZ_RESOURCE_SEGMENTS', AUTHZ_DEFAULTS.resourceSegments, 0),
    snapshotIntervalMs: int(env, 'AUTHZ_SNAPSHOT_INTERVAL_MS', AUTHZ_DEFAULTS.snapshotIntervalMs, 100),
  };
  const snapshotPath = text(env, 'AUTHZ_SNAPSHOT_PATH');
  if (snapshotPath !== undefined) options.snapshotPath = snapshotPath;
  // Cross-field rules (softTtl <= hardTtl, URL shapes) are checked once, here, with env names.
  try {
    resolveAuthzOptions(options);
  } catch (error) {
    if (error instanceof AuthzConfigError) throw new AuthzConfigError(ENV_NAME_OF[error.option] ?? error.option, renameOption(error));
    throw error;
  }
  return options;
}

/** Environment variable of each option, for messages. */
const ENV_NAME_OF: Record<string, string> = {
  serviceName: 'SERVICE_NAME',
  'nats.servers': 'NATS_URL',
  'authority.httpUrl': 'AUTHORITY_URL',
  'authority.transport': 'AUTHZ_TRANSPORT',
  'authority.serviceToken': 'IAM_SERVICE_TOKEN',
  adminToken: 'IAM_ADMIN_TOKEN',
  softTtlMs: 'AUTHZ_SOFT_TTL_MS',
  hardTtlMs: 'AUTHZ_HARD_TTL_MS',
  maxStalenessMs: 'AUTHZ_MAX_STALENESS_MS',
  checkpointIntervalMs: 'AUTHZ_CHECKPOINT_MS',
  consistencyWaitMs: 'AUTHZ_CONSISTENCY_WAIT_MS',
  rebuildConcurrency: 'AUTHZ_REBUILD_CONCURRENCY',
  rebuildTopN: 'AUTHZ_REBUILD_TOP_N',
  resourceSegments: 'AUTHZ_RESOURCE_SEGMENTS',
  snapshotIntervalMs: 'AUTHZ_SNAPSHOT_INTERVAL_MS',
};

function renameOption(error: AuthzConfigError): string {
  let message = error.message;
  // Longest names first so that e.g. `authority.httpUrl` is replaced before any shorter overlap.
  for (const [option, name] of Object.entries(ENV_NAME_OF).sort((a, b) => b[0].length - a[0].length)) {
    message = message.split(option).join(name);
  }
  return message;
}
