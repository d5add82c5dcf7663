import { Logger } from '@nestjs/common';
import { configuredSecret, DEV_OPERATOR_KEY, isDevMode, NatsSecurityConfigError, natsSecurityFromEnv, SecretConfigError } from '@iam/contracts';
import { AuthzConfigError } from '../errors';
import { AUTHZ_DEFAULTS, AuthzCacheModuleOptions, DegradedPolicy, resolveAuthzOptions } from './authz-cache.options';

/** Development defaults used when the token variables are unset in dev mode (IAM_DEV_MODE=1, with a warning). */
export const DEV_ADMIN_TOKEN = 'dev-cache-admin-token';
export const DEV_SERVICE_TOKEN = 'dev-service-token';
export { DEV_OPERATOR_KEY };
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
  try {
    const { value, warning } = configuredSecret(env, name, devDefault);
    if (warning) logger.warn(warning);
    return value;
  } catch (error) {
    if (error instanceof SecretConfigError) throw new AuthzConfigError(error.variable, error.message);
    throw error;
  }
}

/**
 * IAM_OPERATOR_KEY: the key control requests are signed with. Unset outside
 * dev mode: the control plane is off (every request refused, with a warning),
 * since a service runs fine without it; set, it must be a proper secret.
 */
function operatorKey(env: NodeJS.ProcessEnv): string | undefined {
  if (text(env, 'IAM_OPERATOR_KEY') === undefined && !isDevMode(env)) {
    logger.warn('IAM_OPERATOR_KEY is not set: control requests (iamctl replay/rebuild/stats) will be refused');
    return undefined;
  }
  return token(env, 'IAM_OPERATOR_KEY', DEV_OPERATOR_KEY);
}

/**
 * A consumer service must never hold the authority's admin token (a shell in
 * its pod could then grant itself anything): refuse to start when it is in
 * the environment (a warning in dev mode).
 */
function refuseAuthorityAdminToken(env: NodeJS.ProcessEnv): void {
  for (const name of ['IAM_ADMIN_TOKEN', 'IAM_ADMIN_TOKENS']) {
    if (text(env, name) === undefined) continue;
    const message = `${name} is the authority's admin token and must not be given to a consumer service; its /admin/cache/* uses AUTHZ_ADMIN_TOKEN`;
    if (!isDevMode(env)) throw new AuthzConfigError(name, message);
    logger.warn(`${message} (ignored: IAM_DEV_MODE=1)`);
  }
}

/**
 * Reads the module's options from the environment (names in the README):
 * SERVICE_NAME, NATS_URL (comma-separated), NATS_USER/NATS_PASS or NATS_CREDS,
 * NATS_INBOX_PREFIX, NATS_TLS_{CA,CERT,KEY}, AUTHORITY_URL, AUTHZ_TRANSPORT,
 * IAM_SERVICE_TOKEN, AUTHZ_ADMIN_TOKEN, IAM_OPERATOR_KEY and the AUTHZ_*
 * tuning variables (IAM_DEV_MODE=1 allows development defaults). Throws {@link AuthzConfigError} naming the
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
  refuseAuthorityAdminToken(env);
  let security;
  try {
    security = natsSecurityFromEnv(env);
  } catch (error) {
    if (error instanceof NatsSecurityConfigError) throw new AuthzConfigError(error.variable, error.message);
    throw error;
  }
  const credsFile = text(env, 'NATS_CREDS');
  if (credsFile !== undefined && user !== undefined) {
    throw new AuthzConfigError('NATS_CREDS', 'set either NATS_CREDS or NATS_USER/NATS_PASS, not both');
  }
  const options: AuthzCacheModuleOptions = {
    serviceName,
    nats: { servers, ...(user !== undefined ? { user, pass } : {}), ...(credsFile !== undefined ? { credsFile } : {}), ...security },
    authority: {
      transport: oneOf(env, 'AUTHZ_TRANSPORT', ['nats', 'http'] as const, 'nats'),
      httpUrl: text(env, 'AUTHORITY_URL') ?? DEFAULT_AUTHORITY_URL,
      serviceToken: token(env, 'IAM_SERVICE_TOKEN', DEV_SERVICE_TOKEN),
    },
    adminToken: token(env, 'AUTHZ_ADMIN_TOKEN', DEV_ADMIN_TOKEN),
    ...(() => {
      const key = operatorKey(env);
      return key !== undefined ? { operatorKey: key } : {};
    })(),
    maxUnknownTokens: int(env, 'AUTHZ_MAX_UNKNOWN_TOKENS', AUTHZ_DEFAULTS.maxUnknownTokens, 1),
    authorityResolveRate: int(env, 'AUTHZ_AUTHORITY_RESOLVE_RATE', AUTHZ_DEFAULTS.authorityResolveRate, 1),
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
  adminToken: 'AUTHZ_ADMIN_TOKEN',
  operatorKey: 'IAM_OPERATOR_KEY',
  maxUnknownTokens: 'AUTHZ_MAX_UNKNOWN_TOKENS',
  authorityResolveRate: 'AUTHZ_AUTHORITY_RESOLVE_RATE',
  'nats.inboxPrefix': 'NATS_INBOX_PREFIX',
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
