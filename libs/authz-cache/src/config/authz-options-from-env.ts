import { Logger } from '@nestjs/common';
import { configuredSecret, DEV_OPERATOR_KEY, isDevMode, NatsSecurityConfigError, natsSecurityFromEnv, SecretConfigError } from '@iam/contracts';
import { AuthzConfigError } from '../errors';
import { AuthzCacheModuleOptions, checkChoice, checkInteger, resolveAuthzOptions } from './authz-cache.options';
import { AUTHZ_OPTION_TABLE, AuthzOptionPath, AuthzOptionSpec, envDefaultOf, envOf } from './authz-option-table';

/** Development defaults used when the token variables are unset in dev mode (IAM_DEV_MODE=1, with a warning). */
export const DEV_ADMIN_TOKEN = 'dev-cache-admin-token';
export const DEV_SERVICE_TOKEN = 'dev-service-token';
export { DEV_OPERATOR_KEY };

const logger = new Logger('AuthzCacheConfig');

function text(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** One integer, boolean or choice option from its variable, checked against its row; unset: undefined. */
function tableValue(env: NodeJS.ProcessEnv, path: AuthzOptionPath, spec: AuthzOptionSpec & { env: string }): number | boolean | string | undefined {
  const raw = text(env, spec.env);
  if (raw === undefined) return undefined;
  if (spec.type === 'integer') {
    const value = /^\d+$/.test(raw) ? Number(raw) : raw;
    checkInteger(path, spec.env, value);
    return value;
  }
  if (spec.type === 'choice') return checkChoice(path, spec.env, raw);
  const flag = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(flag)) return true;
  if (['false', '0', 'no', 'off'].includes(flag)) return false;
  throw new AuthzConfigError(spec.env, `${spec.env} must be one of true|false|1|0|yes|no|on|off, got '${raw}'`);
}

/** Sets `a.b.c` in an options object. */
function setPath(target: object, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
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
  const name = envOf('operatorKey');
  if (text(env, name) === undefined && !isDevMode(env)) {
    logger.warn(`${name} is not set: control requests (iamctl replay/rebuild/stats) will be refused`);
    return undefined;
  }
  return token(env, name, DEV_OPERATOR_KEY);
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
 * Reads the module's options from the environment, each from the variable
 * its row of `AUTHZ_OPTION_TABLE` names (listed in the README): SERVICE_NAME,
 * NATS_URL (comma-separated), NATS_USER/NATS_PASS or NATS_CREDS,
 * NATS_INBOX_PREFIX, NATS_TLS_{CA,CERT,KEY}, AUTHORITY_URL, IAM_SERVICE_TOKEN,
 * AUTHZ_ADMIN_TOKEN, IAM_OPERATOR_KEY and the AUTHZ_* tuning variables
 * (IAM_DEV_MODE=1 allows development defaults). Throws {@link AuthzConfigError}
 * naming the variable and its accepted values; never echoes a token.
 */
export function authzOptionsFromEnv(env: NodeJS.ProcessEnv, defaults: { serviceName?: string } = {}): AuthzCacheModuleOptions {
  const serviceName = text(env, envOf('serviceName')) ?? defaults.serviceName;
  if (!serviceName) throw new AuthzConfigError(envOf('serviceName'), `${envOf('serviceName')} must be set to the service name, e.g. turing`);
  const servers = (text(env, envOf('nats.servers')) ?? envDefaultOf('nats.servers'))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const user = text(env, envOf('nats.user'));
  const pass = text(env, envOf('nats.pass'));
  if ((user === undefined) !== (pass === undefined)) {
    throw new AuthzConfigError(envOf(user === undefined ? 'nats.user' : 'nats.pass'), `${envOf('nats.user')} and ${envOf('nats.pass')} must be set together`);
  }
  refuseAuthorityAdminToken(env);
  let security;
  try {
    // NATS_INBOX_PREFIX and NATS_TLS_*: one reader, shared with the apps' own connections.
    security = natsSecurityFromEnv(env);
  } catch (error) {
    if (error instanceof NatsSecurityConfigError) throw new AuthzConfigError(error.variable, error.message);
    throw error;
  }
  const credsFile = text(env, envOf('nats.credsFile'));
  if (credsFile !== undefined && user !== undefined) {
    throw new AuthzConfigError(envOf('nats.credsFile'), `set either ${envOf('nats.credsFile')} or ${envOf('nats.user')}/${envOf('nats.pass')}, not both`);
  }
  const key = operatorKey(env);
  const options: AuthzCacheModuleOptions = {
    serviceName,
    nats: { servers, ...(user !== undefined ? { user, pass } : {}), ...(credsFile !== undefined ? { credsFile } : {}), ...security },
    authority: {
      httpUrl: text(env, envOf('authority.httpUrl')) ?? envDefaultOf('authority.httpUrl'),
      serviceToken: token(env, envOf('authority.serviceToken'), DEV_SERVICE_TOKEN),
    },
    adminToken: token(env, envOf('adminToken'), DEV_ADMIN_TOKEN),
    ...(key !== undefined ? { operatorKey: key } : {}),
  };
  // Every integer, boolean and choice option with a variable: read, checked and defaulted from its row.
  for (const [path, spec] of Object.entries(AUTHZ_OPTION_TABLE) as Array<[AuthzOptionPath, AuthzOptionSpec]>) {
    if (spec.type === 'custom' || spec.env === undefined) continue;
    const value = tableValue(env, path, spec as AuthzOptionSpec & { env: string }) ?? spec.default;
    if (value !== undefined) setPath(options, path, value);
  }
  const snapshotPath = text(env, envOf('snapshotPath'));
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
const ENV_NAME_OF: Record<string, string> = Object.fromEntries(
  Object.entries(AUTHZ_OPTION_TABLE as Record<string, AuthzOptionSpec>).flatMap(([path, spec]) => (spec.env === undefined ? [] : [[path, spec.env]])),
);

function renameOption(error: AuthzConfigError): string {
  let message = error.message;
  // Longest names first so that e.g. `authority.httpUrl` is replaced before any shorter overlap.
  for (const [option, name] of Object.entries(ENV_NAME_OF).sort((a, b) => b[0].length - a[0].length)) {
    message = message.split(option).join(name);
  }
  return message;
}
