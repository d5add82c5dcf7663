import { LRUCache } from 'lru-cache';
import { CacheEntry, EntryFactory, EntryFacts, NEGATIVE, REJECTED, UncacheableAnswerError, ValueEntry, valueEntry } from './cache-entry';
import { CacheCounters, newCounters } from './counters';
import { EntryTagIndex } from './entry-tag-index';
import { TagRevisions } from './tag-revisions';
import { MISS, type Miss, type Read } from './types';

/** The key of GuardedCache's hidden `sentinel` entry: no cache key is empty. */
const SENTINEL_KEY = '';

/** Settings of one {@link GuardedCache}. */
export interface GuardedCacheOptions<V, C> {
  max: number;
  softTtlMs: number;
  hardTtlMs: number;
  negativeTtlMs: number;
  /** Loads a value; `context` is what the first reader of the key passed. */
  load: (context: C, signal: AbortSignal) => Promise<V>;
  /** Revision, tags, negativity and validity of a value (`context` is undefined on restore). */
  facts: (value: V, context: C | undefined, loadStartRevision: number) => EntryFacts;
  /**
   * Builds an entry (default: {@link valueEntry}, the value in a field).
   * Decisions pass one whose entry *is* the answer (one object per entry);
   * the tag index then replaces its `tags` with the interned array, so the
   * loader's tag strings are not retained.
   */
  entry?: EntryFactory<V>;
  /**
   * For values kept in a field ({@link ValueEntry}): a copy of the value
   * whose own tag list holds the interned strings (`interned`: the entry's
   * indexed tags), so the loader's strings are not kept twice. Optional.
   */
  shareTags?: (value: V, interned: readonly string[]) => V;
  /**
   * Told when a key starts and stops being held (stored, or loading), so
   * that what a key refers to (decisions: interned principal and action ids)
   * lives exactly as long as the keys that use it. Optional.
   */
  keyRefs?: KeyRefs;
  /** What a cached value turns into once past its `validUntil` (identities: null). */
  expiredValue: V;
  revisions: TagRevisions;
  appliedRevision: () => number;
  /** Monotonic clock (ms): loadedAt, ages, the lease. */
  now: () => number;
  /** Wall clock (epoch ms): `validUntil` from facts and snapshot times are converted with it. */
  wallNow: () => number;
  /** The freshness lease, shared with the subscription: read on every read. */
  lease: FreshnessView;
  /** An entry is served only while `now - max(loadedAt, lease.freshAsOf) <= maxStalenessMs` (Infinity: no lease). */
  maxStalenessMs: number;
}

/** Reference counting of keys (see {@link GuardedCacheOptions.keyRefs}); every `retain` is followed by one `release`. */
export interface KeyRefs {
  retain(key: string): void;
  release(key: string): void;
  /** Every entry is gone (flushAll): drop every reference. */
  clear(): void;
}

/** What the cache reads of the freshness lease (a field, so a read costs one property load). */
export interface FreshnessView {
  /** Clock time as of which the cache is proven fresh (-Infinity: never). */
  readonly freshAsOf: number;
}

/** A saved entry (snapshot form). */
export interface SavedEntry<V> {
  key: string;
  value: V;
  loadedAt: number;
}

/*
 * Invalidations that abort or refuse a load while readers wait make them
 * read again; after this many in a row (an invalidation storm on one key) a
 * reader loads uncached.
 */
const MAX_RETRIES = 3;

/** What a reader knew when it started: invalidations up to here must not be served past. */
interface ReadStart {
  epoch: number;
  applied: number;
}

/**
 * One bounded cache (decisions or identities) over lru-cache's `fetch()`:
 * single-flight, stale-while-revalidate and abort-on-delete come from the
 * library; the tag index, soft/hard ages, the flush epoch and the revision
 * guard are ours.
 *
 * Race design: an invalidation deletes the matching keys, which aborts their
 * in-flight fetches (lru-cache drops the late answer). A load whose key was
 * not yet indexed (its tags come with the answer) is caught by the revision
 * guard, checked twice: in the fetch method (refused -> reload once -> still
 * refused -> returned uncached) and again synchronously when lru-cache
 * inserts it (`onInsert`), which closes the few microtasks between the two;
 * an entry refused there is flagged `rejected` and never served from cache.
 * A refused answer goes back uncached only to readers that started before
 * the invalidation that refused it; a reader that started after it (it joined
 * an older in-flight load) reads again. A flush bumps an epoch with the same
 * effect for loads whose keys it could not find.
 */
export class GuardedCache<V, C> {
  readonly counters: CacheCounters = newCounters();
  readonly index = new EntryTagIndex<CacheEntry<V>>();
  // FC is `unknown`: lru-cache's conditional fetch typings cannot resolve a generic context type.
  private readonly lru: LRUCache<string, CacheEntry<V>, unknown>;
  /**
   * One hidden entry that keeps lru-cache from reaching size 0 through a
   * delete. lru-cache empties itself (`#clear`) when its last entry is
   * deleted, filling its key and value arrays over all `max` slots: O(max)
   * for each invalidation of a sole entry, ~0.5 ms per event at the default
   * size on a quiet service (one entry in the cache), on the propagation
   * path. Never served (refused), never indexed, never counted, never
   * iterated; the least recently used entry, so a full cache evicts it
   * first.
   */
  private readonly sentinel: CacheEntry<V>;
  private epoch = 0;
  private readonly lease: FreshnessView;
  private readonly maxStale: number;
  /**
   * The clock reading entry times are relative to (`loadedAt`, `validUntil`):
   * the monotonic clock is epoch-scale, beyond a Smi; relative times stay
   * Smis (unboxed) for 2^31 ms (24.8 days) of uptime, then cost a 16-byte
   * heap number per entry, nothing worse.
   */
  private readonly origin: number;
  /** Soft and hard TTL of positive and of negative entries (not stored per entry). */
  private readonly softTtl: number;
  private readonly hardTtl: number;
  private readonly negativeSoftTtl: number;
  private readonly negativeHardTtl: number;
  /** Abort reasons lru-cache used on our fetches: a reader seeing one retries. */
  private readonly abortReasons = new WeakSet<object>();
  private readonly newEntry: EntryFactory<V>;
  private readonly keyRefs: KeyRefs | undefined;
  /** A key whose replaced entry's reference the entry being inserted takes over (set between dispose and onInsert). */
  private handOver: string | undefined;

  constructor(private readonly o: GuardedCacheOptions<V, C>) {
    this.lease = o.lease;
    this.maxStale = o.maxStalenessMs;
    this.origin = Math.floor(o.now());
    this.softTtl = o.softTtlMs;
    this.hardTtl = o.hardTtlMs;
    this.negativeSoftTtl = Math.min(o.softTtlMs, o.negativeTtlMs);
    this.negativeHardTtl = Math.min(o.hardTtlMs, o.negativeTtlMs);
    this.newEntry = o.entry ?? valueEntry;
    this.keyRefs = o.keyRefs;
    this.sentinel = new ValueEntry<V>(SENTINEL_KEY, undefined as V, 0, [], 0, null, 0, false);
    this.sentinel.reject();
    this.lru = new LRUCache<string, CacheEntry<V>, unknown>({
      max: o.max,
      // No lru-cache TTL: our own age checks (soft/hard TTL and the lease, from loadedAt) decide what is
      // served; a TTL here would only add a clock read per get and two numbers per entry. An entry past
      // its hard TTL is never served and is evicted like any other (the cache stays bounded by `max`).
      allowStale: false,
      noDeleteOnFetchRejection: true,
      ignoreFetchAbort: false,
      allowStaleOnFetchAbort: false,
      fetchMethod: (key, _stale, { signal, context }) => this.fetchEntry(key, context as C, signal),
      onInsert: (entry) => entry !== this.sentinel && this.onInsert(entry),
      dispose: (entry, key, reason) => {
        if (entry === this.sentinel) return;
        this.index.remove(entry);
        // Replaced: lru-cache inserts the new entry right after (same key); it takes this reference over.
        if (reason === 'set' && this.keyRefs !== undefined && entry.unhold()) this.handOver = key;
        else this.unhold(entry);
      },
    });
  }

  /**
   * Reads `key`: fresh hit synchronously-resolved, else the slow path. An
   * entry is a hit only within the freshness lease, checked here with the
   * clock on every read: `now - max(loadedAt, freshAsOf) <= maxStalenessMs`.
   */
  read(key: string, context: C, maxAgeMs: number | undefined): Promise<Read<V>> {
    const entry = this.freshEntry(key, maxAgeMs);
    // One short-lived promise per hit (one microtask for the awaiting caller), none kept per entry.
    if (entry !== undefined) return Promise.resolve({ value: entry.value, source: 'hit' });
    return this.readSlow(key, context, maxAgeMs, 0, { epoch: this.epoch, applied: this.o.appliedRevision() });
  }

  /**
   * The value only, for callers that do not need the source: a hit is a
   * resolved promise of the value itself (no `Read` object; awaiting it is
   * the request's one microtask).
   */
  readValue(key: string, context: C, maxAgeMs: number | undefined): Promise<V> {
    const entry = this.freshEntry(key, maxAgeMs);
    if (entry !== undefined) return Promise.resolve(entry.value);
    return this.readSlow(key, context, maxAgeMs, 0, { epoch: this.epoch, applied: this.o.appliedRevision() }).then((read) => read.value);
  }

  /**
   * {@link readValue}'s synchronous half: the value of `key` if it is a
   * fresh hit now (counted as one, under the same rules), else {@link MISS}
   * and nothing is counted (the caller then reads the async way).
   */
  hitValue(key: string): V | Miss {
    const entry = this.freshEntry(key, undefined);
    return entry === undefined ? MISS : entry.value;
  }

  /** The entry of `key` if it may be served as a hit now (counted as one), synchronously. */
  private freshEntry(key: string, maxAgeMs: number | undefined): CacheEntry<V> | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined) return undefined;
    const flags = entry.flags;
    if ((flags & REJECTED) !== 0) return undefined;
    const now = this.o.now();
    const clock = now - this.origin;
    const age = clock - entry.loadedAt;
    if (
      age < ((flags & NEGATIVE) === 0 ? this.softTtl : this.negativeSoftTtl)
      && (maxAgeMs === undefined || age <= maxAgeMs)
      && (entry.validUntil === null || entry.validUntil > clock)
      && (age <= this.maxStale || now - this.lease.freshAsOf <= this.maxStale)
    ) {
      this.counters.hits++;
      return entry;
    }
    return undefined;
  }

  /**
   * A read that is not a fresh hit. The key is held for the whole read,
   * retries included: a key nothing holds yet (a first load) must not lose
   * its interned parts while loading, nor keep them if the load fails.
   */
  private readSlow(key: string, context: C, maxAgeMs: number | undefined, attempt: number, since: ReadStart): Promise<Read<V>> {
    const refs = this.keyRefs;
    return refs === undefined ? this.readHeld(key, context, maxAgeMs, attempt, since) : this.readRetained(refs, key, context, maxAgeMs, attempt, since);
  }

  private async readRetained(refs: KeyRefs, key: string, context: C, maxAgeMs: number | undefined, attempt: number, since: ReadStart): Promise<Read<V>> {
    refs.retain(key);
    try {
      return await this.readHeld(key, context, maxAgeMs, attempt, since);
    } finally {
      refs.release(key);
    }
  }

  private async readHeld(key: string, context: C, maxAgeMs: number | undefined, attempt: number, since: ReadStart): Promise<Read<V>> {
    const now = this.o.now();
    const cached = this.lru.peek(key, { allowStale: true });
    if (cached !== undefined && !cached.rejected) {
      const age = now - this.origin - cached.loadedAt;
      const leased = age <= this.maxStale || now - this.lease.freshAsOf <= this.maxStale;
      if (!leased && attempt === 0) this.counters.leaseLapsed++;
      if (leased && age < this.hardTtlOf(cached) && (maxAgeMs === undefined || age <= maxAgeMs)) {
        if (age < this.softTtlOf(cached)) {
          this.counters.hits++;
          return { value: this.valueAt(cached, now), source: 'hit' };
        }
        // Soft-stale: serve it; at most one background refresh per key (lru-cache joins an in-flight one).
        const status: LRUCache.Status<string, CacheEntry<V>, unknown> = {};
        // The stale entry holds the key until the refresh replaces it (see handOver), or the refresh is aborted with it.
        this.lru.fetch(key, { forceRefresh: true, allowStale: true, context, status }).catch(() => undefined);
        if (status.fetch === 'refresh') this.counters.refreshes++;
        this.counters.staleHits++;
        return { value: this.valueAt(cached, now), source: 'stale' };
      }
    }
    // Nothing servable: await a load (ours, or the one already in flight).
    const status: LRUCache.Status<string, CacheEntry<V>, unknown> = {};
    try {
      const loaded = await this.lru.fetch(key, { forceRefresh: true, allowStale: false, context, status });
      const joined = status.fetch === 'inflight';
      if (joined) this.counters.coalesced++;
      else this.counters.misses++;
      if (loaded === undefined) return this.retryOrBypass(key, context, maxAgeMs, attempt, since);
      if (loaded.rejected) return this.serveRefused(loaded, key, context, maxAgeMs, attempt, since);
      return { value: this.valueAt(loaded, this.o.now()), source: joined ? 'coalesced' : 'miss' };
    } catch (err) {
      if (err instanceof UncacheableAnswerError) {
        return this.serveRefused(err.entry as CacheEntry<V>, key, context, maxAgeMs, attempt, since);
      }
      if (typeof err === 'object' && err !== null && this.abortReasons.has(err)) {
        return this.retryOrBypass(key, context, maxAgeMs, attempt, since);
      }
      throw err;
    }
  }

  /** Drops the entry's reference on its key, once (dispose, or a delete lru-cache does not dispose). */
  private unhold(entry: CacheEntry<V>): void {
    if (this.keyRefs !== undefined && entry.unhold()) this.keyRefs.release(entry.key);
  }

  /**
   * An answer the guard refused to store may still be returned, uncached, to
   * a reader that started before the invalidation that refused it; a reader
   * that started after it (it joined an older in-flight load) reads again.
   */
  private serveRefused(
    entry: CacheEntry<V>,
    key: string,
    context: C,
    maxAgeMs: number | undefined,
    attempt: number,
    since: ReadStart,
  ): Promise<Read<V>> | Read<V> {
    const fresh = entry.epoch >= since.epoch
      && entry.revision >= Math.min(since.applied, this.o.revisions.requiredRevision(entry.tags));
    if (fresh) return { value: this.valueAt(entry, this.o.now()), source: 'bypass' };
    return this.retryOrBypass(key, context, maxAgeMs, attempt, since);
  }

  /** After an abort or a refusal: read again, or load uncached after a storm of them. */
  private async retryOrBypass(key: string, context: C, maxAgeMs: number | undefined, attempt: number, since: ReadStart): Promise<Read<V>> {
    if (attempt < MAX_RETRIES) return this.readHeld(key, context, maxAgeMs, attempt + 1, since);
    // A load started now is later than every invalidation this reader knows of.
    const value = await this.o.load(context, new AbortController().signal);
    return { value, source: 'bypass' };
  }

  private valueAt(entry: CacheEntry<V>, now: number): V {
    return entry.validUntil === null || entry.validUntil > now - this.origin ? entry.value : this.o.expiredValue;
  }

  private softTtlOf(entry: CacheEntry<V>): number {
    return (entry.flags & NEGATIVE) === 0 ? this.softTtl : this.negativeSoftTtl;
  }

  private hardTtlOf(entry: CacheEntry<V>): number {
    return (entry.flags & NEGATIVE) === 0 ? this.hardTtl : this.negativeHardTtl;
  }

  private async fetchEntry(
    key: string,
    context: C,
    signal: AbortSignal,
  ): Promise<CacheEntry<V>> {
    signal.addEventListener('abort', () => this.noteAbort(signal.reason), { once: true });
    let entry = await this.loadEntry(key, context, signal);
    if (!this.accepts(entry)) {
      this.counters.guardRejections++;
      entry = await this.loadEntry(key, context, signal);
      if (!this.accepts(entry)) {
        this.counters.guardRejections++;
        throw new UncacheableAnswerError(entry);
      }
    }
    return entry;
  }

  private async loadEntry(key: string, context: C, signal: AbortSignal): Promise<CacheEntry<V>> {
    const epoch = this.epoch;
    const startRevision = this.o.appliedRevision();
    const loadedAt = Math.floor(this.o.now());
    const value = await this.o.load(context, signal);
    // lru-cache has already settled an aborted fetch; do not reload for nobody.
    if (signal.aborted) throw signal.reason;
    return this.makeEntry(key, value, this.o.facts(value, context, startRevision), loadedAt, epoch);
  }

  /** `loadedAt` is a reading of the cache's clock (ms, whole); the entry holds it relative to the origin. */
  private makeEntry(key: string, value: V, facts: EntryFacts, loadedAt: number, epoch: number): CacheEntry<V> {
    const o = this.o;
    // facts.validUntil is a wall time (an identity's expiresAt): compared on the cache's clock from here on.
    const validUntil = facts.validUntil === Infinity ? null : facts.validUntil <= 0 ? facts.validUntil : facts.validUntil - o.wallNow() + o.now();
    return this.newEntry(key, value, facts, loadedAt - this.origin, validUntil === null ? null : Math.floor(validUntil - this.origin), epoch);
  }

  private noteAbort(reason: unknown): void {
    if (typeof reason === 'object' && reason !== null) this.abortReasons.add(reason);
  }

  /** The revision guard: loaded in the current flush epoch, and not older than any invalidation of its tags. */
  private accepts(entry: CacheEntry<V>): boolean {
    return entry.epoch === this.epoch && entry.revision >= this.o.revisions.requiredRevision(entry.tags);
  }

  private onInsert(entry: CacheEntry<V>): void {
    // Stored (even refused): it holds its key until disposed or deleted.
    if (this.keyRefs !== undefined && entry.hold()) {
      if (this.handOver === entry.key) this.handOver = undefined;
      else this.keyRefs.retain(entry.key);
    }
    if (!this.accepts(entry)) {
      entry.reject();
      this.counters.guardRejections++;
      return;
    }
    this.index.add(entry);
    if (this.o.shareTags !== undefined && entry instanceof ValueEntry) entry.value = this.o.shareTags(entry.value as V, entry.tags);
  }

  /**
   * Removes entries an event tag matches whose revision is below `revision`
   * (an entry loaded at or after the event already reflects it; pass
   * Infinity to remove unconditionally). Aborts their in-flight refreshes.
   */
  invalidate(eventTag: string, revision: number): number {
    let removed = 0;
    for (const entry of this.index.matching(eventTag)) {
      if (entry.revision >= revision) continue;
      this.index.remove(entry);
      // Only while it is still the key's entry (or the stale one a refresh is replacing): never a newer one.
      if (this.lru.peek(entry.key, { allowStale: true }) === entry) this.deleteKey(entry.key);
      // Not in the cache any more (lru-cache does not dispose a stale entry under refresh when deleting).
      this.unhold(entry);
      removed++;
    }
    this.counters.invalidatedEntries += removed;
    return removed;
  }

  /** Drops every entry and aborts every load. */
  flushAll(): number {
    this.epoch++;
    let removed = 0;
    for (const entry of this.lru.values()) if (entry !== this.sentinel && !entry.rejected) removed++;
    this.index.clear();
    this.lru.clear();
    this.keyRefs?.clear();
    this.counters.invalidatedEntries += removed;
    return removed;
  }

  /** Drops entries whose key matches; loads in flight are refused at insert (epoch). */
  flushKeys(matches: (key: string) => boolean): number {
    this.epoch++;
    let removed = 0;
    for (const key of [...this.recentKeys()]) {
      if (!matches(key)) continue;
      // A stale entry under refresh is not disposed by delete (lru-cache aborts the refresh): unindex it here.
      const entry = this.lru.peek(key, { allowStale: true });
      if (entry !== undefined) this.index.remove(entry);
      if (this.deleteKey(key)) removed++;
      if (entry !== undefined) this.unhold(entry);
    }
    this.counters.invalidatedEntries += removed;
    return removed;
  }

  /** Drops entries an event tag matches, whatever their revision; loads in flight are refused at insert. */
  flushTag(eventTag: string): number {
    this.epoch++;
    return this.invalidate(eventTag, Infinity);
  }

  /** Keys, most recently used first (stored entries only). */
  *recentKeys(): IterableIterator<string> {
    for (const [key, entry] of this.lru.entries()) if (entry !== this.sentinel) yield key;
  }

  /**
   * Servable entries, most recently used first, for a snapshot (loadedAt as
   * wall time: the next process has another clock). `savedKeyOf` writes a
   * key as the snapshot holds it (undefined: skip it).
   */
  save(keep: (value: V) => boolean, savedKeyOf: (key: string) => string | undefined = (key) => key): SavedEntry<V>[] {
    const now = this.o.now();
    const toWall = this.o.wallNow() - now;
    const out: SavedEntry<V>[] = [];
    for (const [key, entry] of this.lru.entries()) {
      if (entry === this.sentinel) continue;
      const loadedAt = entry.loadedAt + this.origin;
      if (entry.rejected || now - loadedAt >= this.hardTtlOf(entry) || !keep(entry.value)) continue;
      const saved = savedKeyOf(key);
      if (saved !== undefined) out.push({ key: saved, value: entry.value, loadedAt: loadedAt + toWall });
    }
    return out;
  }

  /**
   * Loads saved entries (most recently used first); expired or guard-refused
   * ones are skipped. `keyOf` turns a snapshot key into the cache's key (called
   * right before the entry is stored). Returns how many were kept.
   */
  restore(saved: readonly SavedEntry<V>[], keyOf: (savedKey: string) => string = (key) => key): number {
    const now = this.o.now();
    const fromWall = now - this.o.wallNow();
    let kept = 0;
    for (let i = saved.length - 1; i >= 0; i--) {
      const { value } = saved[i];
      const key = keyOf(saved[i].key);
      const loadedAt = Math.floor(saved[i].loadedAt + fromWall);
      const entry = this.makeEntry(key, value, this.o.facts(value, undefined, 0), loadedAt, this.epoch);
      const age = now - loadedAt;
      // Held across the checks: what `keyOf` interned is freed again if the entry is skipped.
      this.keyRefs?.retain(key);
      if (age < this.hardTtlOf(entry) && age >= 0 && this.accepts(entry)) {
        this.lru.set(key, entry);
        kept++;
      }
      this.keyRefs?.release(key);
    }
    return kept;
  }

  /** Removes one key (aborting its load in flight); not counted as an invalidation. */
  delete(key: string): void {
    const entry = this.lru.peek(key, { allowStale: true });
    if (entry === this.sentinel) return;
    if (entry !== undefined) this.index.remove(entry);
    this.deleteKey(key);
    if (entry !== undefined) this.unhold(entry);
  }

  /** Whether the key has a stored entry (any age); does not touch recency. */
  has(key: string): boolean {
    const entry = this.lru.peek(key, { allowStale: true });
    return entry !== undefined && entry !== this.sentinel;
  }

  /** Entries held, in-flight first loads included. */
  get size(): number {
    return this.lru.size - (this.lru.peek(SENTINEL_KEY, { allowStale: true }) === this.sentinel ? 1 : 0);
  }

  /** `lru.delete`, with the {@link sentinel} put back first when the key may be the last entry. */
  private deleteKey(key: string): boolean {
    if (this.lru.size === 1 && this.o.max > 1 && !this.lru.has(SENTINEL_KEY)) this.lru.set(SENTINEL_KEY, this.sentinel);
    return this.lru.delete(key);
  }
}
