import type { DecisionLoader, IdentityLoader } from './types';
import { keepFullResource, ResourceNormaliser } from './resource-normaliser';

/** Options of {@link AuthzCacheCore}; every number is validated at construction. */
export interface AuthzCacheCoreOptions {
  /** Asks the authority for a decision (the resource already normalised). */
  loadDecision: DecisionLoader;
  /** Resolves a bearer token; `null` for unknown/expired/revoked. */
  loadIdentity: IdentityLoader;
  /** Decision entries held (LRU beyond). Default 100_000. */
  maxDecisions?: number;
  /** Identity entries held (LRU beyond). Default 10_000. */
  maxIdentities?: number;
  /** Unknown-token entries held, in a tier of their own (they never evict known identities). Default 1_000. */
  maxUnknownTokens?: number;
  /** Age after which an entry is served stale while one background refresh runs. Default 30_000. */
  softTtlMs?: number;
  /** Age from which an entry is never served (backstop when events are missed). Default 600_000. */
  hardTtlMs?: number;
  /**
   * Lifetime of negative entries (`allowed: false`, unknown tokens): both
   * their soft and hard TTL are capped at it. Default = softTtlMs.
   */
  negativeTtlMs?: number;
  /** Decision-key granularity. Default {@link keepFullResource}. */
  normaliseResource?: ResourceNormaliser;
  /** Tags whose last invalidation revision is remembered (the revision guard's memory). Default 100_000. */
  maxTagRevisions?: number;
  /**
   * The cache's clock, monotonic, in ms: entry ages (`loadedAt`) and the
   * freshness lease are measured with it, so a wall-clock step never makes
   * an old entry look young. Default {@link monotonicNow}.
   */
  now?: () => number;
  /**
   * Wall clock in epoch ms: identity `expiresAt` and snapshot times are
   * converted with it. Default `Date.now`, or `now` when only `now` is given
   * (a manual clock in tests).
   */
  wallNow?: () => number;
  /**
   * The freshness lease bound: an entry is served only while
   * `now - max(entry.loadedAt, freshAsOf) <= maxStalenessMs`
   * (see {@link AuthzCacheCore.renewLease}). Undefined: no lease (every
   * entry is served within its TTLs; a core used without a subscription).
   */
  maxStalenessMs?: number;
}

/** Options after defaults. */
export type ResolvedCoreOptions = Required<Omit<AuthzCacheCoreOptions, 'maxStalenessMs'>> & { maxStalenessMs: number | undefined };

/**
 * A monotonic clock in ms near the epoch: `performance.now()` from the
 * process's time origin. Never goes back (NTP steps, a paused VM's clock
 * jump) while staying comparable with epoch times for logs.
 */
export const monotonicNow = (): number => TIME_ORIGIN + performance.now();
// Read once: `performance.timeOrigin` is a getter, half the cost of the clock read itself.
const TIME_ORIGIN = performance.timeOrigin;

/** A core option out of range; `option` names it. */
export class InvalidCoreOptionError extends RangeError {
  override readonly name = 'InvalidCoreOptionError';
  readonly code = 'AUTHZ_CACHE_INVALID_OPTION';
  constructor(readonly option: string, message: string) {
    super(message);
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidCoreOptionError(name, `${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function nonNegativeInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidCoreOptionError(name, `${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/** Applies defaults and validates; throws {@link InvalidCoreOptionError} naming the option. */
export function resolveCoreOptions(options: AuthzCacheCoreOptions): ResolvedCoreOptions {
  if (typeof options.loadDecision !== 'function') throw new InvalidCoreOptionError('loadDecision', 'loadDecision must be a function');
  if (typeof options.loadIdentity !== 'function') throw new InvalidCoreOptionError('loadIdentity', 'loadIdentity must be a function');
  const softTtlMs = positiveInt('softTtlMs', options.softTtlMs ?? 30_000);
  const hardTtlMs = positiveInt('hardTtlMs', options.hardTtlMs ?? 600_000);
  if (softTtlMs > hardTtlMs) {
    throw new InvalidCoreOptionError('softTtlMs', `softTtlMs (${softTtlMs}) must not exceed hardTtlMs (${hardTtlMs})`);
  }
  return {
    loadDecision: options.loadDecision,
    loadIdentity: options.loadIdentity,
    maxDecisions: positiveInt('maxDecisions', options.maxDecisions ?? 100_000),
    maxIdentities: positiveInt('maxIdentities', options.maxIdentities ?? 10_000),
    maxUnknownTokens: positiveInt('maxUnknownTokens', options.maxUnknownTokens ?? 1_000),
    softTtlMs,
    hardTtlMs,
    negativeTtlMs: positiveInt('negativeTtlMs', options.negativeTtlMs ?? softTtlMs),
    normaliseResource: options.normaliseResource ?? keepFullResource,
    maxTagRevisions: positiveInt('maxTagRevisions', options.maxTagRevisions ?? 100_000),
    now: options.now ?? monotonicNow,
    wallNow: options.wallNow ?? options.now ?? Date.now,
    maxStalenessMs: options.maxStalenessMs === undefined ? undefined : nonNegativeInt('maxStalenessMs', options.maxStalenessMs),
  };
}
