import type { AuthzCacheModuleOptions, AuthorityTransport, DegradedPolicy } from './authz-cache.options';

/**
 * One option of {@link AuthzCacheModuleOptions}: the single declaration its
 * validation (`resolveAuthzOptions`), its environment variable
 * (`authzOptionsFromEnv`) and the README's option table are derived from.
 */
export interface AuthzOptionSpec {
  /**
   * How a value is checked. `integer`, `boolean` and `choice` are checked
   * from this row alone; `custom` rows (names, URLs, secrets, files) by
   * dedicated code in `resolveAuthzOptions`, described by `accepted`.
   */
  readonly type: 'integer' | 'boolean' | 'choice' | 'custom';
  /** Environment variable `authzOptionsFromEnv` reads it from; absent: set in code only. */
  readonly env?: string;
  /** Value when unset; absent: required, or derived (see `defaultDoc`). */
  readonly default?: number | boolean | string;
  /** The default as the docs show it, when it is not the plain value. */
  readonly defaultDoc?: string;
  /** `custom`: what `authzOptionsFromEnv` uses when the variable is unset (the option itself is required in code). */
  readonly envDefault?: string;
  /** `integer`: the smallest accepted value. */
  readonly min?: number;
  /** `integer`: the largest accepted value (absent: any safe integer). */
  readonly max?: number;
  /** `choice`: the accepted values. */
  readonly choices?: readonly string[];
  /** `custom`: the accepted values, in words (the README's "accepted" column). */
  readonly accepted?: string;
  /** What it costs: speed, memory, authority calls. */
  readonly cost: string;
  /** What a bad setting does, and how it shows. */
  readonly failure: string;
}

/** Dotted paths of every leaf of the module options (`maxDecisions`, `authority.timeoutMs`, `nats.tls.caFile`). */
type LeafPaths<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends string | number | boolean | readonly unknown[] ? K : `${K}.${LeafPaths<NonNullable<T[K]>>}`;
}[keyof T & string];

/** An option's path in {@link AuthzCacheModuleOptions}. */
export type AuthzOptionPath = LeafPaths<AuthzCacheModuleOptions>;

/**
 * Every option of the cache module, in the README's order: default,
 * accepted range, environment variable, cost and failure mode. Adding an
 * option to {@link AuthzCacheModuleOptions} without a row here (or a row
 * for no option) does not compile; the README table is rendered from it
 * (`npm run docs:authz-options`, checked by `authz-option-table.spec.ts`).
 */
export const AUTHZ_OPTION_TABLE = {
  serviceName: {
    type: 'custom',
    env: 'SERVICE_NAME',
    defaultDoc: '(required; `authzOptionsFromEnv` takes a default)',
    accepted: '`[a-z0-9][a-z0-9._-]{0,62}`',
    cost: 'none',
    failure: 'control requests for another service are ignored; a wrong name makes `iamctl --service` miss this instance',
  },
  'nats.servers': {
    type: 'custom',
    env: 'NATS_URL',
    envDefault: 'nats://127.0.0.1:4222',
    accepted: 'non-empty list of NATS URLs (env: comma-separated)',
    cost: 'one connection per app',
    failure: 'NATS down at start: the app starts anyway, `/health` is 503 and reads go to the authority until the subscription is live',
  },
  'nats.user': {
    type: 'custom',
    env: 'NATS_USER',
    defaultDoc: 'none',
    accepted: 'with `nats.pass`; not with `nats.credsFile`',
    cost: 'none',
    failure: 'wrong credentials: never live (logged), reads bypass the cache',
  },
  'nats.pass': {
    type: 'custom',
    env: 'NATS_PASS',
    defaultDoc: 'none',
    accepted: 'with `nats.user`',
    cost: 'none',
    failure: 'as `nats.user`',
  },
  'nats.credsFile': {
    type: 'custom',
    env: 'NATS_CREDS',
    defaultDoc: 'none',
    accepted: 'a `.creds` file; not with `nats.user`',
    cost: 'read once at start',
    failure: 'unreadable file: start-up fails',
  },
  'nats.inboxPrefix': {
    type: 'custom',
    env: 'NATS_INBOX_PREFIX',
    defaultDoc: '`_INBOX`',
    accepted: '`_INBOX[A-Za-z0-9_-]*`',
    cost: 'none',
    failure:
      "with docker/nats/auth.conf it must be the user's own (`_INBOX_<service>`): any other inbox is refused by the server, so RPC replies never arrive (reads 503)",
  },
  'nats.tls.caFile': {
    type: 'custom',
    env: 'NATS_TLS_CA',
    defaultDoc: 'none',
    accepted: 'a PEM file; any TLS file turns TLS on',
    cost: 'TLS handshake per (re)connect',
    failure: 'wrong CA: never live (logged), reads bypass the cache',
  },
  'nats.tls.certFile': {
    type: 'custom',
    env: 'NATS_TLS_CERT',
    defaultDoc: 'none',
    accepted: 'a PEM file, with `nats.tls.keyFile`',
    cost: 'as `nats.tls.caFile`',
    failure: 'refused by the server: never live (logged), reads bypass the cache',
  },
  'nats.tls.keyFile': {
    type: 'custom',
    env: 'NATS_TLS_KEY',
    defaultDoc: 'none',
    accepted: 'a PEM file, with `nats.tls.certFile`',
    cost: 'as `nats.tls.caFile`',
    failure: 'as `nats.tls.certFile`',
  },
  'authority.transport': {
    type: 'choice',
    env: 'AUTHZ_TRANSPORT',
    default: 'nats' as AuthorityTransport,
    choices: ['nats', 'http'] satisfies readonly AuthorityTransport[],
    cost: 'NATS request/reply: one round trip on the existing connection; `http`: one HTTP request (keep-alive)',
    failure: 'authority unreachable: misses fail, the guard answers 503',
  },
  'authority.httpUrl': {
    type: 'custom',
    env: 'AUTHORITY_URL',
    envDefault: 'http://127.0.0.1:3000',
    accepted: 'an http(s) URL',
    cost: 'none',
    failure: 'used only with transport `http`',
  },
  'authority.serviceToken': {
    type: 'custom',
    env: 'IAM_SERVICE_TOKEN',
    defaultDoc: 'required outside `IAM_DEV_MODE=1` (dev: `dev-service-token`)',
    accepted: 'non-empty; from the environment at least 32 characters',
    cost: 'none',
    failure: 'wrong token: the authority refuses (`AUTHORITY_REJECTED`), the guard answers 503',
  },
  'authority.timeoutMs': {
    type: 'integer',
    default: 2000,
    min: 1,
    max: 600_000,
    cost: 'a slow authority holds a request up to this long',
    failure: 'timeout = unavailable: 503 unless a servable entry exists',
  },
  adminToken: {
    type: 'custom',
    env: 'AUTHZ_ADMIN_TOKEN',
    defaultDoc: 'required outside `IAM_DEV_MODE=1` (dev: `dev-cache-admin-token`)',
    accepted: 'non-empty; from the environment at least 32 characters',
    cost: 'none',
    failure:
      "`/admin/cache/*` answers 401/403. This service's own token: a service given the authority's `IAM_ADMIN_TOKEN(S)` refuses to start",
  },
  operatorKey: {
    type: 'custom',
    env: 'IAM_OPERATOR_KEY',
    defaultDoc: 'unset (dev: `dev-operator-key`)',
    accepted: 'non-empty; from the environment at least 32 characters',
    cost: 'one HMAC per control request',
    failure: 'unset or wrong: every control request is dropped (`authz_cache_control_rejected_total{reason}`), the service itself works',
  },
  maxUnknownTokens: {
    type: 'integer',
    env: 'AUTHZ_MAX_UNKNOWN_TOKENS',
    default: 1000,
    min: 1,
    cost: 'memory, as `maxIdentities`',
    failure: 'unknown tokens live in a tier of their own; a flood churns only it, known identities stay cached',
  },
  authorityResolveRate: {
    type: 'integer',
    env: 'AUTHZ_AUTHORITY_RESOLVE_RATE',
    default: 200,
    min: 1,
    defaultDoc: '200 per second (burst 200)',
    cost: 'none',
    failure: 'identity resolutions beyond it answer 429 `RATE_LIMITED` without asking the authority (known identities are hits and unaffected)',
  },
  enabled: {
    type: 'boolean',
    env: 'AUTHZ_ENABLED',
    default: true,
    cost: '`false` allocates no cache and no subscription: every read is an authority call',
    failure: 'the kill switch for incidents and comparisons; `/health` stays 200',
  },
  maxDecisions: {
    type: 'integer',
    env: 'AUTHZ_MAX_DECISIONS',
    default: 100_000,
    min: 1,
    cost: 'memory: ~290 B per decision of 4 tags (key, entry, tag-index memberships; lib README, Memory per entry), plus ~28 B per slot of the maximum allocated up front',
    failure: 'too small: LRU evictions, more authority calls (`authz_cache_misses_total`)',
  },
  maxIdentities: {
    type: 'integer',
    env: 'AUTHZ_MAX_IDENTITIES',
    default: 10_000,
    min: 1,
    cost: 'memory: ~0.9 KB per identity (the identity itself, its key, entry and tag-index memberships), plus ~28 B per slot of the maximum allocated up front',
    failure: 'too small: more identity calls',
  },
  softTtlMs: {
    type: 'integer',
    env: 'AUTHZ_SOFT_TTL_MS',
    default: 30_000,
    min: 1,
    cost: 'after it an entry is served once more and refreshed in the background (one call)',
    failure: 'must be <= `hardTtlMs`',
  },
  hardTtlMs: {
    type: 'integer',
    env: 'AUTHZ_HARD_TTL_MS',
    default: 600_000,
    min: 1,
    cost: 'the backstop: never served past it',
    failure: 'if events were somehow lost, a stale answer lives at most this long',
  },
  negativeTtlMs: {
    type: 'integer',
    env: 'AUTHZ_NEGATIVE_TTL_MS',
    min: 1,
    defaultDoc: '= `softTtlMs`',
    cost: 'lifetime of negative entries (`allowed: false`, unknown tokens): both their TTLs are capped at it, so they are reloaded (one call) after it and never served stale past it',
    failure:
      'must be <= `hardTtlMs`. Too large: a deny (or an unknown token) is remembered longer if its invalidating event were lost (events still remove it at once); too small: more calls for repeated denials and unknown tokens',
  },
  maxStalenessMs: {
    type: 'integer',
    env: 'AUTHZ_MAX_STALENESS_MS',
    default: 5_000,
    min: 0,
    cost:
      'the freshness lease bound, checked on every read (hit path included, one clock read and one comparison): an entry is served only while `now - max(entry.loadedAt, freshAsOf) <= maxStalenessMs`. Healthy, freshAsOf is at most ~250 ms old and everything is servable; without checkpoints (NATS frozen, relay stalled, process paused) entries past it are reloaded (authority load rises during an outage)',
    failure:
      'authority also down: 503 for those entries (never an unverifiable allow). The worst-case staleness of any allow under any fault; 0 = every read asks unless a checkpoint arrived this very millisecond',
  },
  checkpointIntervalMs: {
    type: 'integer',
    env: 'AUTHZ_CHECKPOINT_MS',
    default: 250,
    min: 10,
    max: 60_000,
    cost:
      "must equal the authority's `IAM_CHECKPOINT_MS`. Degraded after ~2 intervals (+50 ms jitter) without a renewed lease; a checkpoint ahead of the applied sequence for as long re-creates the consumer. One tick timer per interval / 2",
    failure:
      "set lower than the authority's: flaps into degraded mode between checkpoints (fail-closed: authority calls); higher: degraded mode and consumer re-creation react later (the read bound is `maxStalenessMs` either way)",
  },
  degradedPolicy: {
    type: 'choice',
    env: 'AUTHZ_DEGRADED_POLICY',
    default: 'bounded' as DegradedPolicy,
    choices: ['bounded', 'fail-closed'] satisfies readonly DegradedPolicy[],
    cost: '`fail-closed`: while degraded (including before the first checkpoint after start) every read is an authority call',
    failure: '`bounded` keeps the lease rule: entries are served while `now - max(loadedAt, freshAsOf) <= maxStalenessMs`',
  },
  consistencyWaitMs: {
    type: 'integer',
    env: 'AUTHZ_CONSISTENCY_WAIT_MS',
    default: 50,
    min: 0,
    max: 60_000,
    cost: 'a request with `x-iam-revision` ahead of the stream waits up to this long',
    failure: 'then it asks the authority with `atLeastRevision` (answer not cached)',
  },
  rebuildConcurrency: {
    type: 'integer',
    env: 'AUTHZ_REBUILD_CONCURRENCY',
    default: 16,
    min: 1,
    max: 1024,
    cost: 'authority calls in flight during a rebuild',
    failure: 'never more in flight (no stampede)',
  },
  rebuildTopN: {
    type: 'integer',
    env: 'AUTHZ_REBUILD_TOP_N',
    default: 1000,
    min: 0,
    cost: 'keys re-warmed by a rebuild (one authority call each)',
    failure: 'too small: a colder cache after a rebuild (more misses); 0 re-warms nothing',
  },
  maxTagRevisions: {
    type: 'integer',
    env: 'AUTHZ_MAX_TAG_REVISIONS',
    default: 100_000,
    min: 1,
    cost: 'memory: one map entry (the tag string and its revision) per invalidated tag the revision guard remembers',
    failure:
      'when full, the least recently invalidated tag is dropped and its revision becomes the floor every untracked tag is assumed to have: too small means more refused loads and reloads (`authz_cache_guard_rejections_total`), never a stale store',
  },
  resourceSegments: {
    type: 'integer',
    env: 'AUTHZ_RESOURCE_SEGMENTS',
    default: 0,
    min: 0,
    max: 64,
    defaultDoc: '0 (full resource)',
    cost: 'N > 0 keys decisions by the first N segments: fewer entries and calls',
    failure: 'correct only if no policy distinguishes resources below N segments: otherwise a decision is reused for a resource it was not made for',
  },
  snapshotPath: {
    type: 'custom',
    env: 'AUTHZ_SNAPSHOT_PATH',
    defaultDoc: 'unset (no snapshots)',
    accepted: 'a file path',
    cost: 'one JSON write per interval (size ~ entries)',
    failure: 'unreadable / too old / other stream: discarded with a log line, start from the stream end',
  },
  snapshotIntervalMs: {
    type: 'integer',
    env: 'AUTHZ_SNAPSHOT_INTERVAL_MS',
    default: 30_000,
    min: 100,
    cost: 'write frequency',
    failure: 'a crash loses at most this much warm cache, never correctness',
  },
} as const satisfies Record<AuthzOptionPath, AuthzOptionSpec>;

type Table = typeof AUTHZ_OPTION_TABLE;
type LastSegment<P extends string> = P extends `${string}.${infer Rest}` ? LastSegment<Rest> : P;
type Widen<T> = T extends number ? number : T extends boolean ? boolean : T;

/** Paths of the options checked from the table alone (their values are `number`, `boolean` or a choice). */
export type TableCheckedPath = { [P in keyof Table]: Table[P]['type'] extends 'custom' ? never : P }[keyof Table];

/** The default of every option that has a plain one, keyed by the option's last path segment (`timeoutMs`). */
export type AuthzDefaults = {
  readonly [P in keyof Table as Table[P] extends { default: unknown } ? LastSegment<P> : never]: Table[P] extends { default: infer D } ? Widen<D> : never;
};

function defaultsOf(table: Record<string, AuthzOptionSpec>): AuthzDefaults {
  const defaults: Record<string, unknown> = {};
  for (const [path, spec] of Object.entries(table)) {
    if (spec.default !== undefined) defaults[path.slice(path.lastIndexOf('.') + 1)] = spec.default;
  }
  return Object.freeze(defaults) as AuthzDefaults;
}

/** Defaults of the options that have a plain one (from {@link AUTHZ_OPTION_TABLE}). */
export const AUTHZ_DEFAULTS: AuthzDefaults = defaultsOf(AUTHZ_OPTION_TABLE);

/** The row of one option. */
export function optionSpec(path: AuthzOptionPath): AuthzOptionSpec {
  return (AUTHZ_OPTION_TABLE as Record<AuthzOptionPath, AuthzOptionSpec>)[path];
}

/** What `authzOptionsFromEnv` uses for an unset variable of a `custom` row. */
export function envDefaultOf(path: AuthzOptionPath): string {
  const value = optionSpec(path).envDefault;
  if (value === undefined) throw new Error(`option ${path} has no environment default`);
  return value;
}

/** The environment variable of an option (throws for an option set in code only: a wiring mistake). */
export function envOf(path: AuthzOptionPath): string {
  const env = optionSpec(path).env;
  if (env === undefined) throw new Error(`option ${path} has no environment variable`);
  return env;
}

/** What an option accepts, in words: `an integer from 1 to 1024`, `one of nats|http`. */
export function acceptedValues(spec: AuthzOptionSpec): string {
  switch (spec.type) {
    case 'integer':
      return spec.max === undefined ? `an integer >= ${spec.min ?? 0}` : `an integer from ${spec.min ?? 0} to ${spec.max}`;
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${(spec.choices ?? []).join('|')}`;
    default:
      return spec.accepted ?? '';
  }
}

/** The default as the docs show it. */
export function defaultText(spec: AuthzOptionSpec): string {
  if (spec.defaultDoc !== undefined) return spec.defaultDoc;
  if (typeof spec.default === 'number') return spec.default >= 10_000 ? spec.default.toLocaleString('en-US').replace(/,/g, ' ') : String(spec.default);
  if (spec.default !== undefined) return `\`${String(spec.default)}\``;
  if (spec.envDefault !== undefined) return `\`${spec.envDefault}\` (env)`;
  return 'required';
}
