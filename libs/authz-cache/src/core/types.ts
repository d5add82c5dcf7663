/*
 * The agreed contract between the in-memory cache core (this folder) and the
 * wiring around it (subscriber, authority client, Nest module, guard).
 * The core does no I/O: loaders are passed in, events are handed to it.
 */
import type { CheckResult, ResolvedIdentity } from '@iam/contracts';

/** An identity-cache partition, claimed once per identity resolver instance. */
export type CachePartition = number;

/** A decision question, before resource normalisation. */
export interface DecisionQuery {
  principal: string;
  action: string;
  resource: string;
}

/** Loads a decision from the authority. `signal` aborts when the key is invalidated mid-flight. */
export type DecisionLoader = (query: DecisionQuery, signal: AbortSignal) => Promise<CheckResult>;

/** Loads an identity from the authority; resolves `null` for an unknown/expired/revoked token. */
export type IdentityLoader = (token: string, signal: AbortSignal) => Promise<ResolvedIdentity | null>;

/** How a read may be served. */
export interface ReadOptions {
  /**
   * Degraded mode: only entries loaded less than this many ms ago may be
   * served; older ones are reloaded (awaited). Undefined: no bound.
   */
  maxAgeMs?: number;
}

/**
 * What a synchronous hit read answers when the key is not a fresh hit now
 * (absent, rejected, past its TTL or the lease): the caller goes the async way.
 */
export const MISS: unique symbol = Symbol('authz-cache.miss');
export type Miss = typeof MISS;

/** Where an answer came from (for metrics and tests). */
export type ReadSource = 'hit' | 'stale' | 'miss' | 'coalesced' | 'bypass';

export interface Read<T> {
  value: T;
  source: ReadSource;
}

/** The core's counters (monotonic) and gauges. */
export interface CacheCoreStats {
  hits: number;
  misses: number;
  staleHits: number;
  refreshes: number;
  coalesced: number;
  /** Entries removed by invalidation events. */
  invalidatedEntries: number;
  /** Loaded answers refused by the revision guard (and reloaded). */
  guardRejections: number;
  decisionEntries: number;
  identityEntries: number;
  /** Distinct tags (and `r:` prefixes) in the tag indexes of both caches. */
  tagIndexSize: number;
  appliedRevision: number;
  /** Reads that found an entry the freshness lease did not cover (asked the authority instead). */
  leaseLapsed: number;
  /** The same counters per cache. */
  byCache: {
    decisions: CacheCounterSet;
    identities: CacheCounterSet;
  };
}

/** Monotonic counters of one cache. */
export interface CacheCounterSet {
  hits: number;
  misses: number;
  staleHits: number;
  refreshes: number;
  coalesced: number;
  guardRejections: number;
  invalidatedEntries: number;
  /** Reads that found an entry but could not serve it: `now - max(loadedAt, freshAsOf) > maxStalenessMs`. */
  leaseLapsed: number;
}

/** Serialised caches (snapshot), with the stream sequence they reflect. */
export interface CacheSnapshot {
  format: 1;
  streamSequence: number;
  appliedRevision: number;
  takenAt: string;
  decisions: Array<{ key: string; value: CheckResult; loadedAt: number }>;
  identities: Array<{ key: string; value: ResolvedIdentity; loadedAt: number }>;
  tagRevisions: Array<[string, number]>;
  /** Revision assumed for tags no longer tracked (bounded tag map); 0 when absent. */
  tagRevisionFloor?: number;
}
