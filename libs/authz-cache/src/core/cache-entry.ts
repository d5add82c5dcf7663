import type { Read } from './types';

/** One cached answer and what the cache needs to know about it. */
export interface CacheEntry<V> {
  readonly key: string;
  readonly value: V;
  /** Authority revision the answer reflects (a lower bound for `null` identities). */
  readonly revision: number;
  /** What invalidates it. */
  readonly tags: readonly string[];
  /** Clock time the load started (conservative: the answer is at least this old). */
  readonly loadedAt: number;
  /** Age after which it is served stale while one background refresh runs. */
  readonly softTtl: number;
  /** Age from which it is never served. */
  readonly hardTtl: number;
  /** Clock time from which the value itself no longer holds (identity expiry); Infinity if never. */
  readonly validUntil: number;
  /** Flush generation it was loaded in; a flush during the load makes it unstorable. */
  readonly epoch: number;
  /** Set when the revision guard refused it at insert time: present but never served. */
  rejected: boolean;
  /** The resolved hit, made once on the first hit (the hit path then allocates nothing). */
  hit?: Promise<Read<V>>;
}

/** What a loaded value says about itself. */
export interface EntryFacts {
  revision: number;
  tags: readonly string[];
  /** Negative answers (deny, unknown token) use the negative TTL. */
  negative: boolean;
  validUntil: number;
}

/**
 * Thrown by the fetch method when an answer failed the revision guard twice:
 * lru-cache then stores nothing, and every waiting reader gets the answer
 * uncached (its read started before the invalidation that refused it).
 */
export class UncacheableAnswerError<V> extends Error {
  override readonly name = 'UncacheableAnswerError';
  readonly code = 'AUTHZ_CACHE_UNCACHEABLE_ANSWER';
  constructor(readonly entry: CacheEntry<V>) {
    super('answer is older than an applied invalidation of its tags; returned uncached');
  }
}
