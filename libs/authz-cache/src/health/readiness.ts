/** The facts readiness is decided from (all read at probe time). */
export interface ReadinessFacts {
  /** false: kill switch, every read asks the authority. */
  enabled: boolean;
  /** The subscription has been live at least once (caching enabled). */
  everLive: boolean;
  degraded: boolean;
  degradedReason?: string;
  degradedPolicy: 'bounded' | 'fail-closed';
  /**
   * Age of the freshness lease (now - freshAsOf), ms; undefined when the
   * subscription reports none (no checkpoint yet, or a build without leases).
   */
  freshAsOfAgeMs?: number;
  /** The lease bound: cached entries are served while the lease is younger. */
  maxStalenessMs: number;
  /** The authority answers (or nothing says otherwise). */
  authorityReachable: boolean;
}

/** Where reads are answered from while ready. */
export type ReadinessSource = 'cache' | 'cache-within-lease' | 'authority';

/** The verdict, with the reason shown in `/health/ready`. */
export type Readiness = { ready: true; source: ReadinessSource; reason: string } | { ready: false; reason: string };

/**
 * The freshness rule for readiness (DESIGN.md 5, degraded mode): an instance
 * is ready while it can answer permission checks correctly, either from a
 * cache it can prove fresh or by asking the authority. A broker blip the
 * degraded mode covers (the lease still young, or the authority reachable)
 * leaves it in rotation; not being able to do either, or never having been
 * live, takes it out. Pure: the indicator feeds it facts.
 */
export function decideReadiness(facts: ReadinessFacts): Readiness {
  if (!facts.enabled) {
    return facts.authorityReachable
      ? { ready: true, source: 'authority', reason: 'cache disabled (kill switch): reads ask the authority' }
      : { ready: false, reason: 'cache disabled (kill switch) and the authority is unreachable' };
  }
  if (!facts.everLive) return { ready: false, reason: 'the invalidation subscription has not been live yet' };
  if (!facts.degraded) return { ready: true, source: 'cache', reason: 'subscription live' };
  const why = facts.degradedReason ?? 'degraded';
  const leaseHolds =
    facts.degradedPolicy === 'bounded' && facts.freshAsOfAgeMs !== undefined && facts.freshAsOfAgeMs <= facts.maxStalenessMs;
  if (facts.authorityReachable) return { ready: true, source: 'authority', reason: `degraded (${why}): misses and expired entries ask the authority` };
  if (leaseHolds) return { ready: true, source: 'cache-within-lease', reason: `degraded (${why}): serving entries within the freshness lease` };
  return { ready: false, reason: `degraded (${why}), freshness lease expired and the authority is unreachable` };
}
