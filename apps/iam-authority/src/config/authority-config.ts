import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { DEFAULT_NATS_URL } from '@iam/local-nats';
import { configuredSecret, DEFAULT_CHECKPOINT_INTERVAL_MS, NatsSecurityConfigError, natsSecurityFromEnv, NatsSecurityOptions, SecretConfigError } from '@iam/contracts';
import { ConfigError } from '@iam/service-kit';
import { AdminToken, adminTokensFromEnv, DEV_ADMIN_TOKEN } from './admin-tokens';
import { StorageConfig } from '../storage/open-database';

/** Validated configuration of the authority (from the environment). */
export interface AuthorityConfig {
  /** HTTP port; 0 picks a free one (tests). Default 3000. */
  port: number;
  /** HTTP bind address. Default 127.0.0.1. */
  host: string;
  /** NATS servers (NATS_URL, comma-separated). */
  natsServers: string[];
  /** Whether NATS_URL is unset or the default (then a local nats-server may be started). */
  natsUrlIsDefault: boolean;
  /** NATS credentials: user/password, a creds file, or none. */
  natsAuth: { user: string; pass: string } | { credsFile: string } | null;
  /** Inbox prefix and TLS of the NATS connections (NATS_INBOX_PREFIX, NATS_TLS_*). */
  natsSecurity: NatsSecurityOptions;
  /** Admin tokens with their owners (IAM_ADMIN_TOKENS, or IAM_ADMIN_TOKEN as owner `admin`). */
  adminTokens: AdminToken[];
  /** The service token (check/resolve): IAM_SERVICE_TOKEN. */
  serviceToken: string;
  /** Requests per client IP per minute on the HTTP API (IAM_RATE_LIMIT_PER_MINUTE; 0 = off). Default 60000 (1,000 a second: a cold cache on the HTTP transport refills without 429s). */
  rateLimitPerMinute: number;
  /** check/resolve requests per second this replica answers over NATS (IAM_RPC_RATE_LIMIT_PER_SECOND; 0 = off). Default 20000. */
  rpcRateLimitPerSecond: number;
  /** Largest accepted JSON body in bytes (IAM_MAX_BODY_BYTES). Default 1 MiB. */
  maxBodyBytes: number;
  storage: StorageConfig;
  /** Replicas of the IAM_EVENTS stream. Default 1. */
  streamReplicas: number;
  /** The relay's safety poll of the outbox, in ms (IAM_RELAY_POLL_MS). Default 1000. */
  relayPollMs: number;
  /** Interval between two freshness checkpoints of the active relay, in ms (IAM_CHECKPOINT_MS). Default 250. */
  checkpointIntervalMs: number;
  /**
   * Time to live of the relay lease on PostgreSQL, in ms (IAM_RELAY_LEASE_MS):
   * a standby takes the relay over at most this long after the holder stops
   * renewing it (renewed every checkpoint interval). Default 1000; at least
   * twice `checkpointIntervalMs`.
   */
  relayLeaseMs: number;
}

// The start-up failure naming the variable and what it accepts (code CONFIG_INVALID), shared with the other apps.
export { ConfigError };

export { DEV_ADMIN_TOKEN };
export const DEV_SERVICE_TOKEN = 'dev-service-token';
const NATS_SERVER = /^(?:(?:nats|tls|ws|wss):\/\/)?[^\s,/]+(?::\d{1,5})?\/?$/;

type Env = Record<string, string | undefined>;

/** Reads and validates the environment; throws {@link ConfigError} on the first bad variable. */
export function loadAuthorityConfig(env: Env = process.env, logger: Pick<Logger, 'warn'> = new Logger('Config')): AuthorityConfig {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = nonEmpty(env, 'HOST') ?? '127.0.0.1';
  const natsUrl = nonEmpty(env, 'NATS_URL') ?? DEFAULT_NATS_URL;
  const natsServers = natsUrl.split(',').map((entry) => entry.trim());
  for (const server of natsServers) {
    if (!NATS_SERVER.test(server)) throw new ConfigError('NATS_URL', `'${server}' is not a NATS URL; expected e.g. nats://host:4222 (comma-separated for a cluster)`);
  }

  const user = nonEmpty(env, 'NATS_USER');
  const pass = env.NATS_PASS;
  const creds = nonEmpty(env, 'NATS_CREDS');
  let natsAuth: AuthorityConfig['natsAuth'] = null;
  if (creds && user) throw new ConfigError('NATS_CREDS', 'set either NATS_CREDS or NATS_USER/NATS_PASS, not both');
  if (creds) {
    if (!existsSync(creds)) throw new ConfigError('NATS_CREDS', `file '${creds}' does not exist; expected the path of a .creds file`);
    natsAuth = { credsFile: creds };
  } else if (user) {
    if (!pass) throw new ConfigError('NATS_PASS', 'must be set when NATS_USER is set');
    natsAuth = { user, pass };
  } else if (pass) {
    throw new ConfigError('NATS_USER', 'must be set when NATS_PASS is set');
  }

  const { adminTokens, serviceToken } = secrets(env, logger);
  let natsSecurity: NatsSecurityOptions;
  try {
    natsSecurity = natsSecurityFromEnv(env);
  } catch (error) {
    if (error instanceof NatsSecurityConfigError) throw new ConfigError(error.variable, error.message);
    throw error;
  }

  const databaseUrl = nonEmpty(env, 'DATABASE_URL');
  let storage: StorageConfig;
  if (databaseUrl) {
    if (!/^postgres(?:ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL', 'expected a postgres:// or postgresql:// URL (unset it to use the embedded PGlite)');
    storage = { databaseUrl };
  } else {
    storage = { dataDir: resolve(nonEmpty(env, 'IAM_DATA_DIR') ?? './.data/authority') };
  }

  const checkpointIntervalMs = integer(env, 'IAM_CHECKPOINT_MS', DEFAULT_CHECKPOINT_INTERVAL_MS, 20, 60_000);
  const relayLeaseMs = integer(env, 'IAM_RELAY_LEASE_MS', 1000, 100, 600_000);
  // Renewed every checkpoint interval: a lease shorter than two of them lapses on one late renewal.
  if (relayLeaseMs < 2 * checkpointIntervalMs) {
    throw new ConfigError('IAM_RELAY_LEASE_MS', `'${relayLeaseMs}' must be at least twice IAM_CHECKPOINT_MS (${checkpointIntervalMs})`);
  }

  return {
    port,
    host,
    natsServers,
    natsUrlIsDefault: natsUrl.trim().replace(/\/+$/, '') === DEFAULT_NATS_URL,
    natsAuth,
    natsSecurity,
    adminTokens,
    serviceToken,
    rateLimitPerMinute: integer(env, 'IAM_RATE_LIMIT_PER_MINUTE', 60_000, 0, 10_000_000),
    rpcRateLimitPerSecond: integer(env, 'IAM_RPC_RATE_LIMIT_PER_SECOND', 20_000, 0, 10_000_000),
    maxBodyBytes: integer(env, 'IAM_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    storage,
    streamReplicas: integer(env, 'IAM_STREAM_REPLICAS', 1, 1, 5),
    relayPollMs: integer(env, 'IAM_RELAY_POLL_MS', 1000, 50, 600_000),
    checkpointIntervalMs,
    relayLeaseMs,
  };
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `'${raw}' is not an integer from ${min} to ${max}`);
  return Number(raw);
}

/** The admin tokens and the service token, validated (dev defaults only with IAM_DEV_MODE=1). */
function secrets(env: Env, logger: Pick<Logger, 'warn'>): { adminTokens: AdminToken[]; serviceToken: string } {
  try {
    const admin = adminTokensFromEnv(env);
    if (admin.warning) logger.warn(admin.warning);
    const service = configuredSecret(env, 'IAM_SERVICE_TOKEN', DEV_SERVICE_TOKEN);
    if (service.warning) logger.warn(service.warning);
    if (admin.tokens.some((t) => t.token === service.value)) throw new ConfigError('IAM_SERVICE_TOKEN', 'must differ from every admin token');
    return { adminTokens: admin.tokens, serviceToken: service.value };
  } catch (error) {
    // Never echo the value: it is a secret.
    if (error instanceof SecretConfigError) throw new ConfigError(error.variable, error.message);
    throw error;
  }
}
