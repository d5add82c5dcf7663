/** Why a read skipped the cache (metric label). */
export type BypassReason = 'disabled' | 'not-live' | 'fail-closed' | 'consistency';

/** What {@link readRoute} looks at: facts of the moment, nothing else. */
export interface ReadFacts {
  /** The cache exists (the kill switch is off). */
  enabled: boolean;
  /** The subscription has been live once since start. */
  cachingEnabled: boolean;
  /** Policy `fail-closed`. */
  failClosed: boolean;
  /** The subscription reports degraded mode now. */
  degraded: boolean;
  /** The request carries a consistency token. */
  hasToken: boolean;
}

/**
 * Where a read goes, decided once for the hot path and the slow path alike:
 * `'cache'` (through the caches; every cached answer is still bounded by the
 * lease in the core), `'consistency'` (through the caches once the stream
 * has reached the token, else a fresh authority answer), or a bypass reason
 * (straight to the authority, never stored). Pure and allocation-free: the
 * answers are constants.
 */
export function readRoute(f: ReadFacts): ReadRoute {
  return route(f.enabled, f.cachingEnabled, f.failClosed, f.degraded, f.hasToken);
}

/** {@link readRoute} with positional facts: what the hot path calls (no object per read). */
export function route(enabled: boolean, cachingEnabled: boolean, failClosed: boolean, degraded: boolean, hasToken: boolean): ReadRoute {
  if (!enabled) return 'disabled';
  if (!cachingEnabled) return 'not-live';
  if (failClosed && degraded) return 'fail-closed';
  return hasToken ? 'consistency' : 'cache';
}

/** Where a read goes (see {@link readRoute}). */
export type ReadRoute = 'cache' | 'consistency' | BypassReason;
