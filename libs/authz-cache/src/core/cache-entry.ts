/**
 * One cached answer and what the cache needs to know about it: one object
 * per entry (its key and tag strings are shared with lru-cache and the tag
 * index; no per-entry promise or closure).
 */
export interface CacheEntry<V> {
  /** The very string lru-cache holds as the key. */
  readonly key: string;
  /** The answer; on insert, rebuilt around the interned tag array (see `GuardedCacheOptions.withTags`). */
  value: V;
  /** Authority revision the answer reflects (a lower bound for `null` identities). */
  readonly revision: number;
  /** What invalidates it (interned strings once indexed). */
  tags: readonly string[];
  /**
   * Clock time the load started, rounded down to the ms (conservative: the
   * answer is at least this old; a whole number stays a small integer in the
   * object instead of a 16-byte boxed double).
   */
  readonly loadedAt: number;
  /** Age after which it is served stale while one background refresh runs. */
  readonly softTtl: number;
  /** Age from which it is never served. */
  readonly hardTtl: number;
  /**
   * Clock time from which the value itself no longer holds (identity expiry);
   * null if never (not Infinity: a double field costs a boxed number per entry).
   */
  readonly validUntil: number | null;
  /** Flush generation it was loaded in; a flush during the load makes it unstorable. */
  readonly epoch: number;
  /** Set when the revision guard refused it at insert time: present but never served. */
  rejected: boolean;
  /** Tag index generation it is indexed in (0: not indexed); owned by the index. */
  indexedIn: number;
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
