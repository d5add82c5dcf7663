import type { ResolvedIdentity } from '@iam/contracts';
import { CacheCounters, newCounters } from './counters';
import { GuardedCache, GuardedCacheOptions, SavedEntry } from './guarded-cache';
import { MISS, type Miss, type Read } from './types';

type IdentityCache = GuardedCache<ResolvedIdentity | null, string>;

/**
 * The identity cache in two tiers, so that unknown tokens cannot evict known
 * identities (docs/architecture.md#security):
 *
 * - `known` (maxIdentities): keys that once resolved to an identity;
 * - `unknown` (maxUnknownTokens, small): every other key. A token seen for
 *   the first time is loaded here; a flood of random tokens only churns this
 *   tier (each is still remembered as negative, so repeating one is free).
 *
 * A first-time token that resolves to an identity is promoted to `known`
 * with the answer just loaded (no second authority call). Both tiers share
 * the revision guard and see every invalidation and flush.
 */
export class TieredIdentityCache {
  private readonly known: IdentityCache;
  private readonly unknown: IdentityCache;
  /** Answers being promoted (token -> identity): `known` loads them from here instead of the authority. */
  private readonly promoting = new Map<string, ResolvedIdentity>();

  constructor(options: GuardedCacheOptions<ResolvedIdentity | null, string>, maxUnknownTokens: number) {
    const load = options.load;
    this.known = new GuardedCache({
      ...options,
      load: (token, signal) => {
        const promoted = this.promoting.get(token);
        return promoted !== undefined ? Promise.resolve(promoted) : load(token, signal);
      },
    });
    this.unknown = new GuardedCache({ ...options, max: maxUnknownTokens });
  }

  /** Reads a key: from `known` when it holds the key, else through `unknown` (promoting a real identity). */
  read(key: string, token: string, maxAgeMs: number | undefined): Promise<Read<ResolvedIdentity | null>> {
    if (this.known.has(key)) return this.known.read(key, token, maxAgeMs);
    return this.readUnknown(key, token, maxAgeMs);
  }

  /** {@link read}'s value only: a warm known identity costs the cache's one microtask. */
  readValue(key: string, token: string, maxAgeMs: number | undefined): Promise<ResolvedIdentity | null> {
    if (this.known.has(key)) return this.known.readValue(key, token, maxAgeMs);
    return this.readUnknown(key, token, maxAgeMs).then((read) => read.value);
  }

  /** {@link readValue}'s synchronous half: the value if the key is a fresh hit now, else {@link MISS}. */
  hitValue(key: string): ResolvedIdentity | null | Miss {
    // One lookup for a warm known identity; `has` only when that was not a hit.
    const known = this.known.hitValue(key);
    if (known !== MISS || this.known.has(key)) return known;
    const value = this.unknown.hitValue(key);
    // `unknown` holds negatives only (an identity is promoted as it loads); anything else goes the async way.
    return value === null ? null : MISS;
  }

  private async readUnknown(key: string, token: string, maxAgeMs: number | undefined): Promise<Read<ResolvedIdentity | null>> {
    const first = await this.unknown.read(key, token, maxAgeMs);
    if (first.value === null) return first;
    this.promoting.set(token, first.value);
    // One home per key: the identity now lives in `known`, where invalidations count it once.
    this.unknown.delete(key);
    try {
      const promoted = await this.known.read(key, token, maxAgeMs);
      // The promotion is not a second miss: the authority was asked once.
      this.known.counters.misses = Math.max(0, this.known.counters.misses - 1);
      return promoted;
    } finally {
      this.promoting.delete(token);
    }
  }

  invalidate(eventTag: string, revision: number): number {
    return this.known.invalidate(eventTag, revision) + this.unknown.invalidate(eventTag, revision);
  }

  flushAll(): number {
    return this.known.flushAll() + this.unknown.flushAll();
  }

  flushKeys(matches: (key: string) => boolean): number {
    return this.known.flushKeys(matches) + this.unknown.flushKeys(matches);
  }

  flushTag(eventTag: string): number {
    return this.known.flushTag(eventTag) + this.unknown.flushTag(eventTag);
  }

  /** Known identities only: unknown tokens are cheap to re-learn. */
  save(keep: (value: ResolvedIdentity | null) => boolean): SavedEntry<ResolvedIdentity | null>[] {
    return this.known.save(keep);
  }

  restore(saved: readonly SavedEntry<ResolvedIdentity | null>[]): number {
    return this.known.restore(saved);
  }

  /** Entries of both tiers. */
  get size(): number {
    return this.known.size + this.unknown.size;
  }

  /** Entries of the unknown-token tier alone. */
  get unknownSize(): number {
    return this.unknown.size;
  }

  /** Counters of both tiers, summed. */
  get counters(): CacheCounters {
    const sum = newCounters();
    for (const part of [this.known.counters, this.unknown.counters]) {
      for (const name of Object.keys(sum) as Array<keyof CacheCounters>) sum[name] += part[name];
    }
    return sum;
  }

  /** Tags indexed by both tiers. */
  get index(): { tagCount: number } {
    return { tagCount: this.known.index.tagCount + this.unknown.index.tagCount };
  }
}
