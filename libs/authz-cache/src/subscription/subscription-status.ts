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
