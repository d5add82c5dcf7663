import { CheckResult, IamEvent, principalTag, RebuildResult, ResolvedIdentity, tokenTag, UnreadableEvent } from '@iam/contracts';
import { DecisionEntry, EntryFacts } from './cache-entry';
import { decisionKey, identityKey, parseDecisionKey, partitionPrefix, tokenIdOf, type TokenKeys } from './cache-keys';
import { DecisionKeys } from './decision-keys';
import { AuthzCacheCoreOptions, ResolvedCoreOptions, resolveCoreOptions } from './core-options';
import { GuardedCache, SavedEntry } from './guarded-cache';
import { TieredIdentityCache } from './negative-identity-cache';
import { runBounded } from './bounded-runner';
import { RevisionWaiters } from './revision-waiters';
import { assertCacheSnapshot } from './snapshot-format';
import { TagRevisions } from './tag-revisions';
import type { CacheCoreStats, CachePartition, CacheSnapshot, DecisionQuery, Miss, Read, ReadOptions } from './types';
import { unreadableEventTags } from './unreadable-tags';

/** Scope of {@link AuthzCacheCore.flush}; both fields given: the union of the two. */
export interface FlushScope {
  partition?: CachePartition;
  principal?: string;
}

/**
 * The in-memory heart of the cache module: a decision cache and an identity
 * cache (bounded lru-cache instances with single-flight, soft/hard TTL and
 * negative entries), a tag index per cache, the revision guard and the
 * applied revision. No I/O: loaders are passed in, events handed in.
 */
export class AuthzCacheCore {
  private readonly o: ResolvedCoreOptions;
  private readonly revisions: TagRevisions;
  private readonly decisions: GuardedCache<CheckResult, DecisionQuery>;
  private readonly identities: TieredIdentityCache;
  /** Decision keys with interned principal and action ids (snapshots hold the plain `decisionKey`). */
  private readonly keys = new DecisionKeys();
  private readonly waiters = new RevisionWaiters();
  private applied = 0;
  private lastPartition = 0;
  /** The freshness lease as the caches read it (one field, read on every read). */
  private readonly lease = { freshAsOf: -Infinity };

  constructor(options: AuthzCacheCoreOptions) {
    const o = (this.o = resolveCoreOptions(options));
    this.revisions = new TagRevisions(o.maxTagRevisions);
    const shared = {
      softTtlMs: o.softTtlMs,
      hardTtlMs: o.hardTtlMs,
      negativeTtlMs: o.negativeTtlMs,
      revisions: this.revisions,
      appliedRevision: () => this.applied,
      now: o.now,
      wallNow: o.wallNow,
      lease: this.lease,
      maxStalenessMs: o.maxStalenessMs ?? Infinity,
    };
    this.decisions = new GuardedCache<CheckResult, DecisionQuery>({
      ...shared,
      max: o.maxDecisions,
      load: (query, signal) => o.loadDecision(query, signal),
      facts: (value) => ({ revision: value.revision, tags: value.tags, negative: !value.allowed, validUntil: Infinity }),
      // The entry is the answer (one object); once indexed it holds the interned tags, the loader's are garbage.
      entry: (key, value, _facts, loadedAt, _validUntil, epoch) => new DecisionEntry(key, value, loadedAt, epoch),
      keyRefs: this.keys,
      expiredValue: undefined as never, // decisions never expire by value
    });
    // Two tiers: a flood of unknown tokens churns a small tier of its own and never evicts known identities.
    this.identities = new TieredIdentityCache(
      { ...shared, max: o.maxIdentities, load: (token, signal) => o.loadIdentity(token, signal), facts: identityFacts, shareTags: identityWithTags, expiredValue: null },
      o.maxUnknownTokens,
    );
  }

  /** A new unique partition (one per identity resolver instance), claimed in construction order from 1. */
  claimPartition(): CachePartition {
    return ++this.lastPartition;
  }

  /** A decision through the cache (the loader is asked about the normalised resource). */
  check(partition: CachePartition, query: DecisionQuery, options?: ReadOptions): Promise<Read<CheckResult>> {
    const resource = this.o.normaliseResource(query.resource);
    const key = this.keys.key(partition, query.principal, query.action, resource);
    const context = resource === query.resource ? query : { principal: query.principal, action: query.action, resource };
    return this.decisions.read(key, context, options?.maxAgeMs);
  }

  /** {@link check}'s value only: a warm hit is one resolved promise (the caller's one microtask), no `Read` object. */
  checkValue(partition: CachePartition, query: DecisionQuery): Promise<CheckResult> {
    const resource = this.o.normaliseResource(query.resource);
    const key = this.keys.key(partition, query.principal, query.action, resource);
    const context = resource === query.resource ? query : { principal: query.principal, action: query.action, resource };
    return this.decisions.readValue(key, context, undefined);
  }

  /** {@link checkValue}'s synchronous half: the decision if it is a fresh hit now, else {@link MISS}. */
  checkHit(partition: CachePartition, principal: string, action: string, resource: string): CheckResult | Miss {
    return this.decisions.hitValue(this.keys.key(partition, principal, action, this.o.normaliseResource(resource)));
  }

  /**
   * An identity through the cache, keyed by sha256(token). `null` (unknown,
   * expired, revoked) is cached as a negative entry tagged `tok:<tokenId>`;
   * a cached identity past its `expiresAt` resolves to null without asking.
   */
  resolveIdentity(partition: CachePartition, token: string, options?: ReadOptions): Promise<Read<ResolvedIdentity | null>> {
    return this.identities.read(identityKey(partition, token), token, options?.maxAgeMs);
  }

  /** {@link resolveIdentity}'s value only (see {@link checkValue}). */
  resolveIdentityValue(partition: CachePartition, token: string): Promise<ResolvedIdentity | null> {
    return this.identities.readValue(identityKey(partition, token), token, undefined);
  }

  /**
   * {@link resolveIdentityValue}'s synchronous half: the identity (or null)
   * if it is a fresh hit now, else {@link MISS}. `keys`: the token's
   * {@link TokenKeys}, when the caller keeps them.
   */
  identityHit(partition: CachePartition, token: string, keys?: TokenKeys): ResolvedIdentity | null | Miss {
    return this.identities.hitValue(keys === undefined ? identityKey(partition, token) : keys.identityKey(partition));
  }

  /**
   * Applies an event: records its tags' invalidation revision, removes the
   * entries (every partition, both caches) whose tags it matches and that
   * were loaded below its revision (so re-applying an old event never drops
   * a fresher entry), aborting their in-flight refreshes; then raises the
   * applied revision. `cache.flush` drops its scope whatever the revisions.
   * Identities (principal, groups, token) are only touched by principal,
   * group and token events: a policy change carries `p:` tags to reach the
   * decisions of its subjects, and must not also evict their identities
   * (that would double the authority calls after every policy change).
   */
  apply(event: IamEvent): number {
    for (const tag of event.tags) this.revisions.record(tag, event.revision);
    let removed = 0;
    if (event.type === 'cache.flush') {
      const { scope, partition, principal } = event.payload;
      if (scope === 'partition' && partition !== undefined) removed = this.flush({ partition });
      else if (scope === 'principal' && principal !== undefined) removed = this.flush({ principal });
      else removed = this.flush(); // all, and tenant: this core cannot tell tenants apart
    } else {
      const touchesIdentities = changesIdentities(event.type);
      for (const tag of event.tags) {
        removed += this.decisions.invalidate(tag, event.revision);
        if (touchesIdentities) removed += this.identities.invalidate(tag, event.revision);
      }
    }
    this.advanceRevision(event.revision);
    return removed;
  }

  /**
   * An event this version cannot read: removes everything its tags (and the
   * ids in its payload) match, whatever the entries' revisions; flushes all
   * when it names nothing. Never ignored.
   */
  applyUnreadable(event: UnreadableEvent): number {
    const tags = unreadableEventTags(event);
    let removed = 0;
    if (tags.length === 0) {
      removed = this.flush();
    } else {
      for (const tag of tags) this.revisions.record(tag, event.revision);
      for (const tag of tags) removed += this.decisions.invalidate(tag, Infinity) + this.identities.invalidate(tag, Infinity);
    }
    this.advanceRevision(event.revision);
    return removed;
  }

  /**
   * Drops entries: all, one partition's, or one principal's (decisions about
   * it and identities of it). Loads in flight are aborted or, when their key
   * cannot be found yet, refused at insert (flush epoch). Returns entries removed.
   */
  flush(scope: FlushScope = {}): number {
    const { partition, principal } = scope;
    if (partition === undefined && principal === undefined) return this.decisions.flushAll() + this.identities.flushAll();
    let removed = 0;
    if (partition !== undefined) {
      const prefix = partitionPrefix(partition);
      removed += this.decisions.flushKeys((k) => k.startsWith(prefix)) + this.identities.flushKeys((k) => k.startsWith(prefix));
    }
    if (principal !== undefined) {
      removed += this.decisions.flushKeys((k) => this.keys.isAbout(k, principal));
      removed += this.decisions.flushTag(principalTag(principal)) + this.identities.flushTag(principalTag(principal));
    }
    return removed;
  }

  /**
   * An event whose revision is not believed (RevisionTrust: not the next
   * one): its invalidations are applied conservatively (every entry its tags
   * match is removed, whatever its revision, and every load in flight is
   * refused at insert), but nothing is recorded at its revision: no tag
   * floor, no applied revision. A forged revision 10^12 then costs one round
   * of reloads, not the ability to cache.
   */
  applyUntrusted(event: { type: string; tags: readonly string[] }): number {
    let removed = 0;
    // A flush (any scope) or an event naming nothing: drop everything, the conservative reading.
    if (event.type === 'cache.flush' || event.tags.length === 0) removed = this.flush();
    else for (const tag of event.tags) removed += this.decisions.flushTag(tag) + this.identities.flushTag(tag);
    return removed;
  }

  /** Records tag invalidation revisions later vouched for (an untrusted event a checkpoint covered). */
  recordTagRevisions(tags: readonly string[], revision: number): void {
    for (const tag of tags) this.revisions.record(tag, revision);
  }

  /**
   * Renews the freshness lease: the cache is proven fresh as of `freshAsOf`
   * (the cache's clock). Never moves it back.
   */
  renewLease(freshAsOf: number): void {
    if (freshAsOf > this.lease.freshAsOf) this.lease.freshAsOf = freshAsOf;
  }

  /** Clock time as of which the cache is proven fresh (-Infinity before the first proof). */
  get freshAsOf(): number {
    return this.lease.freshAsOf;
  }

  /** The cache's monotonic clock (ms). */
  now(): number {
    return this.o.now();
  }

  /** Raises the applied revision without an event (start-up: the stream's last revision). Never lowers it. */
  advanceRevision(revision: number): void {
    if (revision <= this.applied) return;
    this.applied = revision;
    this.waiters.release(revision);
  }

  /** Highest revision applied: every change up to it is reflected. */
  get appliedRevision(): number {
    return this.applied;
  }

  /** True as soon as the applied revision reaches `revision`, false after `timeoutMs`. */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    return this.waiters.wait(this.applied, revision, timeoutMs);
  }

  stats(): CacheCoreStats {
    const d = this.decisions.counters;
    const i = this.identities.counters;
    return {
      hits: d.hits + i.hits,
      misses: d.misses + i.misses,
      staleHits: d.staleHits + i.staleHits,
      refreshes: d.refreshes + i.refreshes,
      coalesced: d.coalesced + i.coalesced,
      invalidatedEntries: d.invalidatedEntries + i.invalidatedEntries,
      guardRejections: d.guardRejections + i.guardRejections,
      decisionEntries: this.decisions.size,
      identityEntries: this.identities.size,
      tagIndexSize: this.decisions.index.tagCount + this.identities.index.tagCount,
      appliedRevision: this.applied,
      leaseLapsed: d.leaseLapsed + i.leaseLapsed,
      byCache: { decisions: { ...d }, identities: { ...i } },
    };
  }

  /** Most recently used decision questions, newest first (resources as normalised). */
  recentDecisions(limit: number): Array<{ partition: CachePartition; query: DecisionQuery }> {
    const out: Array<{ partition: CachePartition; query: DecisionQuery }> = [];
    if (!(limit > 0)) return out;
    for (const key of this.decisions.recentKeys()) {
      const question = this.keys.decode(key);
      if (question === undefined) continue; // a key no read can build any more (see DecisionKeys.clear)
      out.push(question);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Flushes, then re-loads up to `topN` of the most recently used decisions
   * with at most `concurrency` loads in flight (no cold-start stampede).
   * Identities cannot be re-warmed (only token hashes are kept).
   */
  async rebuild(options: {
    topN: number;
    concurrency: number;
    onProgress?: (done: number, total: number) => void;
  }): Promise<RebuildResult> {
    const started = performance.now();
    const targets = this.recentDecisions(options.topN);
    const flushed = this.flush();
    const run = await runBounded(targets, options.concurrency, (t) => this.check(t.partition, t.query), {
      onProgress: options.onProgress,
      now: () => performance.now(),
    });
    return {
      flushed,
      warmed: run.done - run.failed,
      failed: run.failed,
      maxInFlight: run.maxInFlight,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** Both caches, the tag revisions and the applied revision, tagged with the stream sequence they reflect. */
  snapshot(streamSequence: number): CacheSnapshot {
    return {
      format: 1,
      streamSequence,
      appliedRevision: this.applied,
      takenAt: new Date(this.o.wallNow()).toISOString(),
      decisions: this.decisions.save(() => true, (key) => {
        const question = this.keys.decode(key);
        return question === undefined ? undefined : decisionKey(question.partition, question.query.principal, question.query.action, question.query.resource);
      }),
      // Negative identities are cheap to re-learn and carry no revision of their own.
      identities: this.identities.save((v) => v !== null) as Array<SavedEntry<ResolvedIdentity>>,
      tagRevisions: this.revisions.entries(),
      tagRevisionFloor: this.revisions.floor,
    };
  }

  /**
   * Loads a snapshot (checked first: throws SnapshotFormatError). Entries keep
   * their loadedAt, so TTLs keep counting; expired ones are dropped.
   */
  restore(snapshot: CacheSnapshot): void {
    assertCacheSnapshot(snapshot);
    this.revisions.restore(snapshot.tagRevisions, snapshot.tagRevisionFloor ?? 0);
    this.advanceRevision(snapshot.appliedRevision);
    this.decisions.restore(snapshot.decisions, (saved) => {
      const { partition, query } = parseDecisionKey(saved);
      return this.keys.key(partition, query.principal, query.action, query.resource);
    });
    this.identities.restore(snapshot.identities);
  }
}

function identityFacts(value: ResolvedIdentity | null, token: string | undefined, loadStartRevision: number): EntryFacts {
  if (value === null) {
    const tokenId = token === undefined ? undefined : tokenIdOf(token);
    // No revision of its own: the applied revision when the load started is a safe lower bound.
    return { revision: loadStartRevision, tags: tokenId ? [tokenTag(tokenId)] : [], negative: true, validUntil: Infinity };
  }
  const own = tokenTag(value.tokenId);
  const tags = value.tags.includes(own) ? value.tags : [...value.tags, own];
  const validUntil = value.expiresAt === null ? Infinity : Date.parse(value.expiresAt);
  return { revision: value.revision, tags, negative: false, validUntil: Number.isNaN(validUntil) ? 0 : validUntil };
}

/** The identity with its own tag strings replaced by the index's interned ones (the loader's are then garbage). */
function identityWithTags(value: ResolvedIdentity | null, interned: readonly string[]): ResolvedIdentity | null {
  if (value === null || value.tags.length === 0) return value;
  const tags = value.tags.map((tag) => interned.find((t) => t === tag) ?? tag);
  return { ...value, tags };
}

/** Event types that can change a resolved identity (its principal, its groups or its token). */
function changesIdentities(type: string): boolean {
  return type.startsWith('principal.') || type.startsWith('group.') || type.startsWith('token.');
}
