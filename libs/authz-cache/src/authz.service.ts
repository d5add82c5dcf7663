import { Logger } from '@nestjs/common';
import type { CheckResult, RebuildResult, ReplayResult, ResolvedIdentity } from '@iam/contracts';
import type { AuthorityClient } from './authority/authority-client';
import type { ResolvedAuthzOptions } from './config/authz-cache.options';
import type { AuthzCacheCore } from './core/authz-cache-core';
import type { TokenKeys } from './core/cache-keys';
import { MISS, type CacheCoreStats, type CachePartition, type Miss, type Read, type ReadOptions } from './core/types';
import { AuthzNotLiveError, AuthzRequestError, RevisionNotReachedError } from './errors';
import { IdentityResolver } from './identity/identity-resolver';
import { BypassReason, ReadRoute, route } from './read-policy';
import type { AuthzMetrics } from './metrics/authz-metrics';
import type { InvalidationSubscriber, SubscriptionStatus } from './subscription/invalidation-subscriber';
import type { ProgressCallback, ReplayRange } from './subscription/stream-replayer';

/** Options of one read. */
export interface AuthzReadOptions {
  /** Consistency token: never answer from a state older than this authority revision. */
  minRevision?: number;
  /**
   * Partition of an override resolver (from {@link AuthzService.claimPartition});
   * default: the partition of the module's shared {@link IdentityResolver}.
   * Prefer {@link AuthzService.createIdentityResolver}, which carries its partition.
   */
  partition?: CachePartition;
}

/** JSON of `GET /admin/cache/stats`, the control `stats` reply and `iamctl cache stats`. */
export interface AuthzCacheStats {
  service: string;
  instanceId: string;
  /** false: kill switch, every read goes to the authority. */
  enabled: boolean;
  transport: 'nats' | 'http';
  degradedPolicy: 'bounded' | 'fail-closed';
  live: boolean;
  degraded: boolean;
  degradedReason?: string;
  appliedSequence: number;
  streamLastSequence: number;
  lag: number;
  /** The trusted revision (consistency tokens are compared with it; see docs/architecture.md#revision-integrity). */
  appliedRevision: number;
  /** Age of the freshness lease (ms since the cache was last proven fresh); absent before the first checkpoint. */
  freshAsOfAgeMs?: number;
  /** The newest checkpoint received. */
  lastCheckpoint?: { revision: number; sequence: number; ageMs: number };
  /** The core's counters and sizes; null while the cache is disabled. */
  cache: CacheCoreStats | null;
  subscription: SubscriptionStatus | null;
}

/**
 * Authorization through the caches. Reads go to the cache when it is enabled
 * and the subscription has been live; otherwise, and for consistency tokens
 * the stream has not reached within `consistencyWaitMs`, they go to the
 * authority directly (never stored). Every cached read, hit path included,
 * is bounded by the freshness lease (`now - max(loadedAt, freshAsOf) <=
 * maxStalenessMs`, checked in the core); past it the authority is asked. In
 * degraded mode policy `bounded` keeps that rule; `fail-closed` skips the
 * cache. Errors are typed (`AuthorityUnavailableError`, ...): callers must
 * treat any error as "cannot verify" (the guard answers 503).
 */
export class AuthzService {
  private readonly logger = new Logger('AuthzService');
  private readonly partition: CachePartition;
  private partitionsWithoutCache = 0;
  /** Policy bounded reads the same way degraded or not (the core's lease rule bounds them): no degraded check on its hot path. */
  private readonly failClosed: boolean;
  /**
   * The module's shared identity resolver (the first partition claimed):
   * what the guard uses, what `IdentityResolver` injects, and what reads
   * without `opts.partition` go through.
   */
  readonly identityResolver: IdentityResolver;

  constructor(
    private readonly options: ResolvedAuthzOptions,
    readonly instanceId: string,
    private readonly core: AuthzCacheCore | null,
    private readonly subscriber: InvalidationSubscriber | null,
    private readonly authority: AuthorityClient,
    private readonly metrics: AuthzMetrics,
  ) {
    this.failClosed = options.degradedPolicy === 'fail-closed';
    this.identityResolver = new IdentityResolver(this, 'default');
    this.partition = this.identityResolver.partition;
  }

  /** Whether the subscription is live (always false while the cache is disabled). */
  get live(): boolean {
    return this.subscriber?.live ?? false;
  }

  /** Whether reads follow the degraded policy. */
  get degraded(): boolean {
    return this.subscriber?.degraded ?? false;
  }

  /** Whether the cache exists (the kill switch is off). */
  get enabled(): boolean {
    return this.core !== null;
  }

  /** A new partition for an override identity resolver; entries never cross partitions. */
  claimPartition(): CachePartition {
    if (this.core) return this.core.claimPartition();
    // No cache, nothing to partition; still unique, for callers that compare.
    this.partitionsWithoutCache += 1;
    return -this.partitionsWithoutCache;
  }

  /**
   * An override identity resolver with a partition of its own (per route,
   * per tenant...): nothing cached through it is served through another
   * resolver, and the other way round. Create it once (e.g. in a provider
   * factory) and share the instance: each call claims a new partition.
   * Partitions are numbered in claim order, so an app that creates its
   * resolvers in the same order after a restart finds its snapshot's entries.
   */
  createIdentityResolver(name?: string): IdentityResolver {
    return new IdentityResolver(this, name);
  }

  /** May `principal` do `action` on `resource`? */
  check(principal: string, action: string, resource: string, opts: AuthzReadOptions = {}): Promise<CheckResult> {
    // The hot path: cache enabled and live, no token, not fail-closed-and-degraded: the core's promise itself,
    // so a warm hit costs the caller's one microtask (no async wrapper, no closures).
    // Every cached answer is still bounded by the lease, checked with the clock in the core.
    if (this.route(opts) === 'cache') {
      try {
        return this.core!.checkValue(opts.partition ?? this.partition, { principal, action, resource });
      } catch (error) {
        return Promise.reject(error as Error); // same contract as an async method: never throws synchronously
      }
    }
    return this.checkSlow(principal, action, resource, opts);
  }

  /**
   * {@link check}'s synchronous half, for the guard's hot path: the decision
   * when the read policy sends this read to the cache and it is a fresh hit
   * now (the same rules as {@link check}, lease included), else {@link MISS}
   * and the caller reads with {@link check}. @internal
   */
  checkHit(principal: string, action: string, resource: string, opts: AuthzReadOptions = {}): CheckResult | Miss {
    if (this.route(opts) !== 'cache') return MISS;
    return this.core!.checkHit(opts.partition ?? this.partition, principal, action, resource);
  }

  private async checkSlow(principal: string, action: string, resource: string, opts: AuthzReadOptions): Promise<CheckResult> {
    const query = { principal, action, resource };
    const min = this.minRevision(opts);
    const direct = (reason: BypassReason) =>
      this.direct(reason, min, (atLeastRevision) => this.authority.check(atLeastRevision === undefined ? query : { ...query, atLeastRevision }));
    return this.read(opts, min, direct, (partition, readOptions) => this.core!.check(partition, query, readOptions));
  }

  /** The identity behind a bearer token; null when unknown, expired or revoked. */
  resolveIdentity(token: string, opts: AuthzReadOptions = {}): Promise<ResolvedIdentity | null> {
    if (this.route(opts) === 'cache') {
      try {
        return this.core!.resolveIdentityValue(opts.partition ?? this.partition, token);
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return this.resolveIdentitySlow(token, opts);
  }

  /** {@link resolveIdentity}'s synchronous half (see {@link checkHit}); `keys`: the token's {@link TokenKeys} if the caller keeps them. @internal */
  resolveIdentityHit(token: string, opts: AuthzReadOptions = {}, keys?: TokenKeys): ResolvedIdentity | null | Miss {
    if (this.route(opts) !== 'cache') return MISS;
    return this.core!.identityHit(opts.partition ?? this.partition, token, keys);
  }

  private async resolveIdentitySlow(token: string, opts: AuthzReadOptions): Promise<ResolvedIdentity | null> {
    const min = this.minRevision(opts);
    const direct = (reason: BypassReason) => this.direct(reason, min, (atLeastRevision) => this.authority.resolveIdentity(token, atLeastRevision));
    return this.read(opts, min, direct, (partition, readOptions) => this.core!.resolveIdentity(partition, token, readOptions));
  }

  /** The one read decision ({@link readRoute}), from this moment's facts; the hot path and the slow path both ask it. */
  private route(opts: AuthzReadOptions): ReadRoute {
    const subscriber = this.subscriber;
    // `degraded` is read only under fail-closed: with policy bounded the lease in the core is the whole rule.
    return route(this.core !== null, subscriber?.cachingEnabled ?? false, this.failClosed, this.failClosed && (subscriber?.degraded ?? false), opts.minRevision !== undefined);
  }

  private async read<T>(
    opts: AuthzReadOptions,
    min: number | undefined,
    direct: (reason: BypassReason) => Promise<T>,
    cached: (partition: CachePartition, options?: ReadOptions) => Promise<Read<T>>,
  ): Promise<T> {
    const decided = this.route(opts);
    if (decided !== 'cache' && decided !== 'consistency') return direct(decided);
    const core = this.core!; // both routes imply the cache exists
    const partition = opts.partition ?? this.partition;
    if (min !== undefined && min > core.appliedRevision) {
      const reached = await core.waitForRevision(min, this.options.consistencyWaitMs);
      if (!reached) return this.freshRead(min, partition, direct, cached);
    }
    // Degraded or not, the core serves only what the lease covers (now - max(loadedAt, freshAsOf) <= maxStalenessMs).
    return (await cached(partition)).value;
  }

  /**
   * The stream has not reached `min`: no cached entry can be trusted for it.
   * Load afresh through the cache (`maxAgeMs: 0`), so the newer answer is
   * stored (the revision guard accepts it: it is at least every applied
   * invalidation) and later reads without a token do not go back to an older
   * state. If that answer is still older than `min`, the authority's latest
   * state has not reached the token: it is from the future (or forged), and
   * is answered at once with REVISION_NOT_REACHED (412), never retried, so a
   * bogus `x-iam-revision` costs one authority call. When the fresh load was a
   * joined load already in flight, one direct call with `atLeastRevision` decides.
   */
  private async freshRead<T>(
    min: number,
    partition: CachePartition,
    direct: (reason: BypassReason) => Promise<T>,
    cached: (partition: CachePartition, options?: ReadOptions) => Promise<Read<T>>,
  ): Promise<T> {
    const joinedBefore = this.core!.stats().coalesced;
    const { value } = await cached(partition, { maxAgeMs: 0 });
    const revision = (value as { revision?: number } | null)?.revision;
    // A null identity has no revision: "unknown token" from a fresh load is the latest state.
    if (revision === undefined || revision >= min) return value;
    // This read's own authority call answered older than the token: the token is beyond anything the authority has.
    if (this.core!.stats().coalesced === joinedBefore) throw new RevisionNotReachedError(min, revision);
    return direct('consistency');
  }

  /**
   * One authority call, not cached. REVISION_NOT_REACHED surfaces at once
   * (412): the authority is the source of revisions, so a token it has not
   * reached is from the future, and retrying would only multiply its cost.
   */
  private async direct<T>(reason: BypassReason, min: number | undefined, call: (atLeastRevision?: number) => Promise<T>): Promise<T> {
    this.metrics.bypassReads.inc({ reason });
    return call(min);
  }

  private minRevision(opts: AuthzReadOptions): number | undefined {
    const min = opts.minRevision;
    if (min === undefined || min === null) return undefined;
    if (!Number.isSafeInteger(min) || min < 0) throw new AuthzRequestError('minRevision', 'minRevision must be a non-negative integer');
    return min;
  }

  /** The stats JSON (admin endpoint, control `stats`, iamctl). */
  stats(): AuthzCacheStats {
    const subscription = this.subscriber?.status() ?? null;
    const cache = this.core?.stats() ?? null;
    return {
      service: this.options.serviceName,
      instanceId: this.instanceId,
      enabled: this.core !== null,
      transport: this.authority.transport,
      degradedPolicy: this.options.degradedPolicy,
      live: subscription?.live ?? false,
      degraded: subscription?.degraded ?? false,
      ...(subscription?.degradedReason ? { degradedReason: subscription.degradedReason } : {}),
      appliedSequence: subscription?.appliedSequence ?? 0,
      streamLastSequence: subscription?.streamLastSequence ?? 0,
      lag: subscription?.lag ?? 0,
      appliedRevision: cache?.appliedRevision ?? 0,
      ...(subscription?.freshAsOfAgeMs !== undefined ? { freshAsOfAgeMs: subscription.freshAsOfAgeMs } : {}),
      ...(subscription?.lastCheckpoint ? { lastCheckpoint: subscription.lastCheckpoint } : {}),
      cache,
      subscription,
    };
  }

  /** Drops entries: all, or one principal's. Returns how many. */
  flush(scope: { principal?: string } = {}): number {
    if (!this.core) return 0;
    const removed = this.core.flush(scope.principal ? { principal: scope.principal } : undefined);
    this.logger.log(`cache flushed by an operator${scope.principal ? ` for ${scope.principal}` : ''}: ${removed} entries removed`);
    return removed;
  }

  /** Flush, then re-warm the most recently used decisions with bounded concurrency. */
  async rebuild(options: { topN?: number; concurrency?: number } = {}, onProgress?: ProgressCallback): Promise<RebuildResult> {
    if (!this.core) throw new AuthzNotLiveError('the cache is disabled (enabled: false): nothing to rebuild');
    const topN = options.topN ?? this.options.rebuildTopN;
    const concurrency = options.concurrency ?? this.options.rebuildConcurrency;
    if (!Number.isInteger(topN) || topN < 0) throw new AuthzRequestError('topN', 'topN must be an integer >= 0');
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) {
      throw new AuthzRequestError('concurrency', 'concurrency must be an integer from 1 to 1024');
    }
    const result = await this.core.rebuild({ topN, concurrency, ...(onProgress ? { onProgress } : {}) });
    this.logger.log(`rebuild: ${result.flushed} flushed, ${result.warmed} warmed, ${result.failed} failed, max ${result.maxInFlight} in flight`);
    return result;
  }

  /** Re-apply events from a sequence or a time. */
  async replay(range: ReplayRange, onProgress?: ProgressCallback): Promise<ReplayResult> {
    if (!this.subscriber) throw new AuthzNotLiveError('the cache is disabled (enabled: false): nothing to replay into');
    return this.subscriber.replay(range, onProgress);
  }
}
