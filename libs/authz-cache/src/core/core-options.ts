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
  /** Wall clock in epoch ms (identity `expiresAt` is compared to it). Default `Date.now`. */
  now?: () => number;
}

/** Options after defaults. */
export type ResolvedCoreOptions = Required<AuthzCacheCoreOptions>;

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
    now: options.now ?? Date.now,
  };
}
