import { AuthzConfigError } from '../errors';
import { acceptedValues, AUTHZ_DEFAULTS, AuthzOptionPath, defaultText, optionSpec, TableCheckedPath } from './authz-option-table';

type IntegerPath = Exclude<TableCheckedPath, 'enabled' | 'degradedPolicy' | 'authority.transport'>;

/** What reads do while the subscription is down or lagging (docs/architecture.md#degraded-mode). */
export type DegradedPolicy = 'bounded' | 'fail-closed';

/** How the module talks to the authority's read API. */
export type AuthorityTransport = 'nats' | 'http';

/**
 * Options of {@link AuthzCacheModule}. The default, accepted range,
 * environment variable, cost and failure mode of each come from one row of
 * `AUTHZ_OPTION_TABLE` (config/authz-option-table.ts), rendered into the
 * README's Options table.
 */
export interface AuthzCacheModuleOptions {
  /** This service's name (e.g. 'turing'); control requests for other services are ignored. */
  serviceName: string;
  /** The module's own NATS connection (events, RPC, control). */
  nats: AuthzNatsOptions;
  /** The authority's read API. */
  authority: {
    /** 'nats' (request/reply, the default) or 'http' (uses `httpUrl`). */
    transport?: AuthorityTransport;
    /** HTTP base URL, e.g. `http://127.0.0.1:3000`. */
    httpUrl: string;
    /** Bearer/service token accepted by `/v1/check` and `/v1/identity/resolve`. */
    serviceToken: string;
    /** Per-call timeout (ms). */
    timeoutMs?: number;
  };
  /** Guards `/admin/cache/*`: this service's own cache-admin token (AUTHZ_ADMIN_TOKEN), never the authority's admin token. */
  adminToken: string;
  /**
   * Shared operator key (IAM_OPERATOR_KEY): control requests must carry an
   * HMAC credential made with it. Unset: every control request is refused.
   */
  operatorKey?: string;
  /** Unknown bearer tokens remembered (negative identity cache, separate from `maxIdentities`). */
  maxUnknownTokens?: number;
  /** Identity resolutions sent to the authority per second, at most (token bucket; beyond it 429). */
  authorityResolveRate?: number;
  /** false: pass-through kill switch, no cache allocated, every read asks the authority. */
  enabled?: boolean;
  /** Decision cache bound (entries). */
  maxDecisions?: number;
  /** Identity cache bound (entries). */
  maxIdentities?: number;
  /** Age (ms) after which an entry is served stale and refreshed in the background. */
  softTtlMs?: number;
  /** Age (ms) after which an entry is never served. */
  hardTtlMs?: number;
  /** Lifetime (ms) of negative entries (`allowed: false`, unknown tokens): caps both their TTLs. Unset: `softTtlMs`. */
  negativeTtlMs?: number;
  /**
   * The freshness lease bound: an entry is served from cache only while
   * `now - max(entry.loadedAt, freshAsOf) <= maxStalenessMs` (monotonic
   * clock, checked on every read), where freshAsOf is the last checkpoint
   * time the cache has caught up with. Past it, the authority is asked (503
   * if unreachable).
   */
  maxStalenessMs?: number;
  /**
   * The authority's checkpoint interval (`IAM_CHECKPOINT_MS` there; must
   * match): degraded after ~2 intervals without a renewed lease, and a
   * checkpoint ahead of the applied sequence for ~2 intervals re-creates the
   * consumer.
   */
  checkpointIntervalMs?: number;
  /** What reads do while freshness is not proven. */
  degradedPolicy?: DegradedPolicy;
  /** How long (ms) a read with a consistency token waits for the stream to catch up. */
  consistencyWaitMs?: number;
  /** Rebuild: authority calls in flight at most. */
  rebuildConcurrency?: number;
  /** Rebuild: most recently used keys re-warmed. */
  rebuildTopN?: number;
  /** Tags whose last invalidation revision the revision guard remembers (beyond: a floor, stricter, never laxer). */
  maxTagRevisions?: number;
  /** Decision keys keep the first N resource segments; 0 keeps the full resource. */
  resourceSegments?: number;
  /** Where to persist cache snapshots; unset = no snapshots. */
  snapshotPath?: string;
  /** Snapshot period (ms). */
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
  negativeTtlMs: number;
  maxStalenessMs: number;
  checkpointIntervalMs: number;
  degradedPolicy: DegradedPolicy;
  consistencyWaitMs: number;
  rebuildConcurrency: number;
  rebuildTopN: number;
  maxTagRevisions: number;
  resourceSegments: number;
  snapshotPath?: string;
  snapshotIntervalMs: number;
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** An integer option, checked against its row of the option table; unset: `fallback`, else the row's default. */
function integer(path: IntegerPath, value: unknown, fallback?: number): number {
  if (value === undefined) {
    const byDefault = fallback ?? optionSpec(path).default;
    if (typeof byDefault !== 'number') throw new Error(`option ${path} has no default`);
    return byDefault;
  }
  checkInteger(path, path, value);
  return value as number;
}

/**
 * Throws unless `value` is an integer within the row's range; `name` is
 * what the message calls it (the option, or its environment variable).
 */
export function checkInteger(path: AuthzOptionPath, name: string, value: unknown): void {
  const spec = optionSpec(path);
  const min = spec.min ?? 0;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const shown = typeof value === 'string' ? `'${value}'` : String(value);
    throw new AuthzConfigError(name, `${name} must be ${acceptedValues(spec)} (default ${defaultText(spec)}), got ${shown}`);
  }
}

/** Throws unless `value` is one of the row's choices. */
export function checkChoice<T extends string>(path: AuthzOptionPath, name: string, value: unknown): T {
  const spec = optionSpec(path);
  if (typeof value !== 'string' || !(spec.choices ?? []).includes(value)) {
    throw new AuthzConfigError(name, `${name} must be ${acceptedValues(spec)} (default ${defaultText(spec)}), got '${String(value)}'`);
  }
  return value as T;
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
  const transport = checkChoice<AuthorityTransport>('authority.transport', 'authority.transport', authority.transport ?? AUTHZ_DEFAULTS.transport);
  const enabled = options.enabled ?? AUTHZ_DEFAULTS.enabled;
  if (typeof enabled !== 'boolean') throw new AuthzConfigError('enabled', 'enabled must be true or false');
  const degradedPolicy = checkChoice<DegradedPolicy>('degradedPolicy', 'degradedPolicy', options.degradedPolicy ?? AUTHZ_DEFAULTS.degradedPolicy);
  const softTtlMs = integer('softTtlMs', options.softTtlMs);
  const hardTtlMs = integer('hardTtlMs', options.hardTtlMs);
  if (softTtlMs > hardTtlMs) throw new AuthzConfigError('softTtlMs', `softTtlMs (${softTtlMs}) must not exceed hardTtlMs (${hardTtlMs})`);
  const negativeTtlMs = integer('negativeTtlMs', options.negativeTtlMs, softTtlMs);
  if (negativeTtlMs > hardTtlMs) throw new AuthzConfigError('negativeTtlMs', `negativeTtlMs (${negativeTtlMs}) must not exceed hardTtlMs (${hardTtlMs})`);
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
      transport,
      httpUrl: httpUrl('authority.httpUrl', authority.httpUrl),
      serviceToken: nonEmptyString('authority.serviceToken', authority.serviceToken),
      timeoutMs: integer('authority.timeoutMs', authority.timeoutMs),
    },
    adminToken: nonEmptyString('adminToken', options.adminToken),
    ...(options.operatorKey !== undefined ? { operatorKey: nonEmptyString('operatorKey', options.operatorKey) } : {}),
    maxUnknownTokens: integer('maxUnknownTokens', options.maxUnknownTokens),
    authorityResolveRate: integer('authorityResolveRate', options.authorityResolveRate),
    enabled,
    maxDecisions: integer('maxDecisions', options.maxDecisions),
    maxIdentities: integer('maxIdentities', options.maxIdentities),
    softTtlMs,
    hardTtlMs,
    negativeTtlMs,
    maxStalenessMs: integer('maxStalenessMs', options.maxStalenessMs),
    checkpointIntervalMs: integer('checkpointIntervalMs', options.checkpointIntervalMs),
    degradedPolicy,
    consistencyWaitMs: integer('consistencyWaitMs', options.consistencyWaitMs),
    rebuildConcurrency: integer('rebuildConcurrency', options.rebuildConcurrency),
    rebuildTopN: integer('rebuildTopN', options.rebuildTopN),
    maxTagRevisions: integer('maxTagRevisions', options.maxTagRevisions),
    resourceSegments: integer('resourceSegments', options.resourceSegments),
    ...(snapshotPath !== undefined ? { snapshotPath } : {}),
    snapshotIntervalMs: integer('snapshotIntervalMs', options.snapshotIntervalMs),
  };
}
