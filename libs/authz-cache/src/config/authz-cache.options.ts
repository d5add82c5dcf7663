import { AuthzConfigError } from '../errors';

/** What reads do while the subscription is down or lagging (docs/architecture.md#degraded-mode). */
export type DegradedPolicy = 'bounded' | 'fail-closed';

/** How the module talks to the authority's read API. */
export type AuthorityTransport = 'nats' | 'http';

/**
 * Options of {@link AuthzCacheModule}. Every option, its default, cost and
 * failure mode is documented in libs/authz-cache/README.md.
 */
export interface AuthzCacheModuleOptions {
  /** This service's name (e.g. 'turing'); control requests for other services are ignored. */
  serviceName: string;
  /** The module's own NATS connection (events, RPC, control). */
  nats: AuthzNatsOptions;
  /** The authority's read API. */
  authority: {
    /** Default 'nats' (request/reply); 'http' uses `httpUrl`. */
    transport: AuthorityTransport;
    /** HTTP base URL, e.g. `http://127.0.0.1:3000`. */
    httpUrl: string;
    /** Bearer/service token accepted by `/v1/check` and `/v1/identity/resolve`. */
    serviceToken: string;
    /** Per-call timeout. Default 2000 ms. */
    timeoutMs?: number;
  };
  /** Guards `/admin/cache/*`: this service's own cache-admin token (AUTHZ_ADMIN_TOKEN), never the authority's admin token. */
  adminToken: string;
  /**
   * Shared operator key (IAM_OPERATOR_KEY): control requests must carry an
   * HMAC credential made with it. Unset: every control request is refused.
   */
  operatorKey?: string;
  /** Unknown bearer tokens remembered (negative identity cache, separate from `maxIdentities`). Default 1 000. */
  maxUnknownTokens?: number;
  /** Identity resolutions sent to the authority per second, at most (token bucket; beyond it 429). Default 200. */
  authorityResolveRate?: number;
  /** false: pass-through kill switch, no cache allocated, every read asks the authority. Default true. */
  enabled?: boolean;
  /** Decision cache bound (entries). Default 100 000. */
  maxDecisions?: number;
  /** Identity cache bound (entries). Default 10 000. */
  maxIdentities?: number;
  /** Age after which an entry is served stale and refreshed in the background. Default 30 000 ms. */
  softTtlMs?: number;
  /** Age after which an entry is never served. Default 600 000 ms. */
  hardTtlMs?: number;
  /**
   * The freshness lease bound: an entry is served from cache only while
   * `now - max(entry.loadedAt, freshAsOf) <= maxStalenessMs` (monotonic
   * clock, checked on every read), where freshAsOf is the last checkpoint
   * time the cache has caught up with. Past it, the authority is asked (503
   * if unreachable). Default 5 000 ms.
   */
  maxStalenessMs?: number;
  /**
   * The authority's checkpoint interval (`IAM_CHECKPOINT_MS` there; must
   * match): degraded after ~2 intervals without a renewed lease, and a
   * checkpoint ahead of the applied sequence for ~2 intervals re-creates the
   * consumer. Default 250 ms.
   */
  checkpointIntervalMs?: number;
  /** Default 'bounded'. */
  degradedPolicy?: DegradedPolicy;
  /** How long a read with a consistency token waits for the stream to catch up. Default 50 ms. */
  consistencyWaitMs?: number;
  /** Rebuild: authority calls in flight at most. Default 16. */
  rebuildConcurrency?: number;
  /** Rebuild: most recently used keys re-warmed. Default 1 000. */
  rebuildTopN?: number;
  /** Decision keys keep the first N resource segments; 0 keeps the full resource. Default 0. */
  resourceSegments?: number;
  /** Where to persist cache snapshots; unset = no snapshots. */
  snapshotPath?: string;
  /** Snapshot period. Default 30 000 ms. */
  snapshotIntervalMs?: number;
}

/** The module's NATS connection options. */
export interface AuthzNatsOptions {
  servers: string[];
  user?: string;
  pass?: string;
  credsFile?: string;
  /** Inbox prefix of this NATS user (NATS_INBOX_PREFIX, e.g. `_INBOX_turing`); the server lets each user read only its own. */
  inboxPrefix?: string;
  /** TLS files (NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY); any of them turns TLS on. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** Options after defaults and validation. */
export interface ResolvedAuthzOptions {
  serviceName: string;
  nats: AuthzNatsOptions;
  authority: { transport: AuthorityTransport; httpUrl: string; serviceToken: string; timeoutMs: number };
  adminToken: string;
  operatorKey?: string;
  maxUnknownTokens: number;
  authorityResolveRate: number;
  enabled: boolean;
  maxDecisions: number;
  maxIdentities: number;
  softTtlMs: number;
  hardTtlMs: number;
  maxStalenessMs: number;
  checkpointIntervalMs: number;
  degradedPolicy: DegradedPolicy;
  consistencyWaitMs: number;
  rebuildConcurrency: number;
  rebuildTopN: number;
  resourceSegments: number;
  snapshotPath?: string;
  snapshotIntervalMs: number;
}

/** Defaults of every optional numeric/enum option. */
export const AUTHZ_DEFAULTS = {
  timeoutMs: 2000,
  enabled: true,
  maxDecisions: 100_000,
  maxIdentities: 10_000,
  softTtlMs: 30_000,
  hardTtlMs: 600_000,
  maxStalenessMs: 5_000,
  checkpointIntervalMs: 250,
  degradedPolicy: 'bounded' as DegradedPolicy,
  consistencyWaitMs: 50,
  rebuildConcurrency: 16,
  rebuildTopN: 1000,
  resourceSegments: 0,
  snapshotIntervalMs: 30_000,
  maxUnknownTokens: 1000,
  authorityResolveRate: 200,
} as const;

const SERVICE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

function integer(option: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new AuthzConfigError(option, `${option} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function nonEmptyString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AuthzConfigError(option, `${option} must be a non-empty string`);
  }
  return value;
}

function inboxPrefix(option: string, value: unknown): string {
  const text = nonEmptyString(option, value);
  if (!/^_INBOX[A-Za-z0-9_-]*$/.test(text)) throw new AuthzConfigError(option, `${option} must look like _INBOX_<user> (letters, digits, _ and -)`);
  return text;
}

function httpUrl(option: string, value: unknown): string {
  const text = nonEmptyString(option, value);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AuthzConfigError(option, `${option} must be an http(s) URL like http://127.0.0.1:3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AuthzConfigError(option, `${option} must be an http(s) URL like http://127.0.0.1:3000`);
  }
  return text.replace(/\/+$/, '');
}

/**
 * Applies defaults and validates. Throws {@link AuthzConfigError} naming the
 * option and the accepted values; the message never includes a token.
 */
export function resolveAuthzOptions(options: AuthzCacheModuleOptions): ResolvedAuthzOptions {
  if (!options || typeof options !== 'object') throw new AuthzConfigError('options', 'AuthzCacheModule options are required');
  const serviceName = nonEmptyString('serviceName', options.serviceName);
  if (!SERVICE_NAME.test(serviceName)) {
    throw new AuthzConfigError('serviceName', 'serviceName must match [a-z0-9][a-z0-9._-]{0,62}');
  }
  const nats = options.nats;
  if (!nats || !Array.isArray(nats.servers) || nats.servers.length === 0 || nats.servers.some((s) => typeof s !== 'string' || !s.trim())) {
    throw new AuthzConfigError('nats.servers', 'nats.servers must be a non-empty list of NATS URLs, e.g. ["nats://127.0.0.1:4222"]');
  }
  if ((nats.user === undefined) !== (nats.pass === undefined)) {
    throw new AuthzConfigError('nats.user', 'nats.user and nats.pass must be given together');
  }
  if (nats.credsFile !== undefined && nats.user !== undefined) {
    throw new AuthzConfigError('nats.credsFile', 'give either nats.credsFile or nats.user/nats.pass, not both');
  }
  const authority = options.authority;
  if (!authority || typeof authority !== 'object') throw new AuthzConfigError('authority', 'authority options are required');
  if (authority.transport !== 'nats' && authority.transport !== 'http') {
    throw new AuthzConfigError('authority.transport', `authority.transport must be 'nats' or 'http', got '${String(authority.transport)}'`);
  }
  const enabled = options.enabled ?? AUTHZ_DEFAULTS.enabled;
  if (typeof enabled !== 'boolean') throw new AuthzConfigError('enabled', 'enabled must be true or false');
  const degradedPolicy = options.degradedPolicy ?? AUTHZ_DEFAULTS.degradedPolicy;
  if (degradedPolicy !== 'bounded' && degradedPolicy !== 'fail-closed') {
    throw new AuthzConfigError('degradedPolicy', `degradedPolicy must be 'bounded' or 'fail-closed', got '${String(degradedPolicy)}'`);
  }
  const softTtlMs = integer('softTtlMs', options.softTtlMs, AUTHZ_DEFAULTS.softTtlMs, 1);
  const hardTtlMs = integer('hardTtlMs', options.hardTtlMs, AUTHZ_DEFAULTS.hardTtlMs, 1);
  if (softTtlMs > hardTtlMs) throw new AuthzConfigError('softTtlMs', `softTtlMs (${softTtlMs}) must not exceed hardTtlMs (${hardTtlMs})`);
  const snapshotPath = options.snapshotPath === undefined || options.snapshotPath === '' ? undefined : nonEmptyString('snapshotPath', options.snapshotPath);
  return {
    serviceName,
    nats: {
      servers: nats.servers.map((s) => s.trim()),
      ...(nats.user !== undefined ? { user: nonEmptyString('nats.user', nats.user), pass: nonEmptyString('nats.pass', nats.pass) } : {}),
      ...(nats.credsFile !== undefined ? { credsFile: nonEmptyString('nats.credsFile', nats.credsFile) } : {}),
      ...(nats.inboxPrefix !== undefined ? { inboxPrefix: inboxPrefix('nats.inboxPrefix', nats.inboxPrefix) } : {}),
      ...(nats.tls !== undefined ? { tls: { ...nats.tls } } : {}),
    },
    authority: {
      transport: authority.transport,
      httpUrl: httpUrl('authority.httpUrl', authority.httpUrl),
      serviceToken: nonEmptyString('authority.serviceToken', authority.serviceToken),
      timeoutMs: integer('authority.timeoutMs', authority.timeoutMs, AUTHZ_DEFAULTS.timeoutMs, 1, 600_000),
    },
    adminToken: nonEmptyString('adminToken', options.adminToken),
    ...(options.operatorKey !== undefined ? { operatorKey: nonEmptyString('operatorKey', options.operatorKey) } : {}),
    maxUnknownTokens: integer('maxUnknownTokens', options.maxUnknownTokens, AUTHZ_DEFAULTS.maxUnknownTokens, 1),
    authorityResolveRate: integer('authorityResolveRate', options.authorityResolveRate, AUTHZ_DEFAULTS.authorityResolveRate, 1),
    enabled,
    maxDecisions: integer('maxDecisions', options.maxDecisions, AUTHZ_DEFAULTS.maxDecisions, 1),
    maxIdentities: integer('maxIdentities', options.maxIdentities, AUTHZ_DEFAULTS.maxIdentities, 1),
    softTtlMs,
    hardTtlMs,
    maxStalenessMs: integer('maxStalenessMs', options.maxStalenessMs, AUTHZ_DEFAULTS.maxStalenessMs, 0),
    checkpointIntervalMs: integer('checkpointIntervalMs', options.checkpointIntervalMs, AUTHZ_DEFAULTS.checkpointIntervalMs, 10, 60_000),
    degradedPolicy,
    consistencyWaitMs: integer('consistencyWaitMs', options.consistencyWaitMs, AUTHZ_DEFAULTS.consistencyWaitMs, 0, 60_000),
    rebuildConcurrency: integer('rebuildConcurrency', options.rebuildConcurrency, AUTHZ_DEFAULTS.rebuildConcurrency, 1, 1024),
    rebuildTopN: integer('rebuildTopN', options.rebuildTopN, AUTHZ_DEFAULTS.rebuildTopN, 0),
    resourceSegments: integer('resourceSegments', options.resourceSegments, AUTHZ_DEFAULTS.resourceSegments, 0, 64),
    ...(snapshotPath !== undefined ? { snapshotPath } : {}),
    snapshotIntervalMs: integer('snapshotIntervalMs', options.snapshotIntervalMs, AUTHZ_DEFAULTS.snapshotIntervalMs, 100),
  };
}
