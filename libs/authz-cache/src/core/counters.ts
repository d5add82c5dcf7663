import type { CacheCounterSet } from './types';

/** Monotonic counters of one cache (decisions or identities). */
export type CacheCounters = CacheCounterSet;

export function newCounters(): CacheCounters {
  return { hits: 0, misses: 0, staleHits: 0, refreshes: 0, coalesced: 0, guardRejections: 0, invalidatedEntries: 0, leaseLapsed: 0 };
}
