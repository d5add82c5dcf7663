/** {@link CacheEntry.flags}: a negative answer (deny, unknown token): the negative TTL applies. */
export const NEGATIVE = 1;
/** {@link CacheEntry.flags}: the revision guard refused it at insert time: present but never served. */
export const REJECTED = 2;

/**
 * One cached answer and what the cache needs to know about it: one object
 * per entry (its key and tag strings are shared with lru-cache and the tag
 * index; no per-entry promise or closure). A class, so every entry has the
 * same shape and its fields stay in the object.
 *
 * Every number field holds a small integer (a V8 "Smi", stored in the
 * field itself). A number outside +-2^31 (an epoch-scale clock reading, or
 * Infinity) would be boxed in a 16-byte heap number per entry: times are
 * therefore kept relative to the cache's own clock origin (see
 * `GuardedCache`), the TTLs are not stored (the `NEGATIVE` flag picks
 * them), and "never expires" is `null`.
 */
export class CacheEntry<V> {
  /** Set when the revision guard refused it at insert time ({@link REJECTED}), and {@link NEGATIVE}. */
  flags: number;
  /** Tag index generation it is indexed in (0: not indexed); owned by the index. */
  indexedIn = 0;

  constructor(
    /** The very string lru-cache holds as the key. */
    readonly key: string,
    /** The answer; on insert, rebuilt around the interned tag array (see `GuardedCacheOptions.withTags`). */
    public value: V,
    /** Authority revision the answer reflects (a lower bound for `null` identities). */
    readonly revision: number,
    /** What invalidates it (interned strings once indexed). */
    public tags: readonly string[],
    /**
     * Clock time the load started, rounded down to the ms (conservative: the
     * answer is at least this old), relative to the cache's clock origin.
     */
    readonly loadedAt: number,
    /**
     * Clock time (relative to the cache's origin) from which the value
     * itself no longer holds (identity expiry); null if never.
     */
    readonly validUntil: number | null,
    /** Flush generation it was loaded in; a flush during the load makes it unstorable. */
    readonly epoch: number,
    negative: boolean,
  ) {
    this.flags = negative ? NEGATIVE : 0;
  }

  /** Refused by the revision guard at insert: present but never served. */
  get rejected(): boolean {
    return (this.flags & REJECTED) !== 0;
  }
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
