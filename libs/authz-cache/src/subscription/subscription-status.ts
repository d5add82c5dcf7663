import type { SubscriptionDecisions } from './subscription-decisions';

/** The subscription's state, for /health, the stats endpoint and iamctl. */
export interface SubscriptionStatus {
  /** The consumer is established and the connection is up. */
  live: boolean;
  /**
   * Caching was enabled but freshness is not proven: no renewed lease for ~2
   * checkpoint intervals, or the connection, consumer or stream is down.
   * Reads follow the degraded policy.
   */
  degraded: boolean;
  /** Why, e.g. "no checkpoint for 1200 ms", "NATS disconnected". */
  degradedReason?: string;
  /** Caching has been enabled (the subscription was live at least once since start). */
  cachingEnabled: boolean;
  appliedSequence: number;
  streamLastSequence: number;
  lag: number;
  eventsApplied: number;
  malformedEvents: number;
  gapFlushes: number;
  /** Highest authority revision the cache can prove it reflects (consistency tokens are compared with it). */
  trustedRevision: number;
  /** Age of the freshness lease (now - freshAsOf), ms; absent before the first renewal. */
  freshAsOfAgeMs?: number;
  /** The newest checkpoint received, and how long ago (ms). */
  lastCheckpoint?: { revision: number; sequence: number; ageMs: number };
  checkpointsReceived: number;
  /** Consumers re-created since start (lost, heartbeats missed, checkpoint ahead, stream changed). */
  consumerRecreations: number;
  /** Where the first session started: the stream's end, or a restored snapshot. */
  startedFrom?: 'stream-end' | 'snapshot';
  lastSnapshotAt?: string;
}

/** The counters the subscriber keeps itself (the rest comes from its decisions). */
export type SubscriptionCounters = Pick<
  SubscriptionStatus,
  'live' | 'eventsApplied' | 'malformedEvents' | 'gapFlushes' | 'checkpointsReceived' | 'consumerRecreations' | 'startedFrom' | 'lastSnapshotAt'
>;

/** The status at monotonic `now`: position, lease and trust from `decisions`, counters from the subscriber. */
export function subscriptionStatus(decisions: SubscriptionDecisions, now: number, counters: SubscriptionCounters): SubscriptionStatus {
  const reason = decisions.degradedReason(now);
  const last = decisions.lease.lastReceived;
  const freshAsOf = decisions.lease.freshAsOf;
  return {
    ...counters,
    degraded: reason !== undefined,
    ...(reason ? { degradedReason: reason } : {}),
    cachingEnabled: decisions.cachingOn,
    appliedSequence: decisions.appliedSequence,
    streamLastSequence: decisions.streamLastSequence,
    lag: Math.max(0, decisions.streamLastSequence - decisions.appliedSequence),
    trustedRevision: decisions.trust.trusted,
    ...(Number.isFinite(freshAsOf) ? { freshAsOfAgeMs: Math.max(0, Math.round(now - freshAsOf)) } : {}),
    ...(last ? { lastCheckpoint: { revision: last.revision, sequence: last.sequence, ageMs: Math.round(now - last.receivedAt) } } : {}),
  };
}
