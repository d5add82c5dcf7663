/** The subscription's state, for /health, the stats endpoint and iamctl. */
export interface SubscriptionStatus {
  /** The consumer is established and the connection is up. */
  live: boolean;
  /** Caching was enabled but the subscription is down or lagging: reads follow the degraded policy. */
  degraded: boolean;
  degradedReason?: string;
  /** Caching has been enabled (the subscription was live at least once since start). */
  cachingEnabled: boolean;
  appliedSequence: number;
  streamLastSequence: number;
  lag: number;
  eventsApplied: number;
  malformedEvents: number;
  gapFlushes: number;
  /** Where the first session started: the stream's end, or a restored snapshot. */
  startedFrom?: 'stream-end' | 'snapshot';
  lastSnapshotAt?: string;
}
