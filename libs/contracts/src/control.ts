/*
 * Operator control messages (scatter-gather over NATS request/reply).
 */

/** `iam.v1.control.replay` request. Exactly one of `fromSequence` or `since`. */
export interface ReplayControlRequest {
  /** Only instances of this service reply; all when absent. */
  service?: string;
  fromSequence?: number;
  /** ISO-8601 start time. */
  since?: string;
}

/** `iam.v1.control.rebuild` request. */
export interface RebuildControlRequest {
  service?: string;
  /** How many of the most recently used keys to re-warm. */
  topN?: number;
  /** In-flight authority calls, at most. */
  concurrency?: number;
}

/** `iam.v1.control.stats` request. */
export interface StatsControlRequest {
  service?: string;
}

/** Every instance's reply to a control request. */
export interface ControlReply<T = unknown> {
  service: string;
  instanceId: string;
  ok: boolean;
  result?: T;
  error?: { code: string; message: string };
}
