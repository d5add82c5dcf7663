/*
 * Operator control messages (scatter-gather over NATS request/reply). Each
 * type is checked at compile time against its schema in
 * `schema/control-schemas.ts`.
 */

/** `iam.v1.control.replay` request. Exactly one of `fromSequence` or `since`. */
export interface ReplayControlRequest {
  /** Only instances of this service reply; all when absent. */
  service?: string;
  fromSequence?: number;
  /** RFC 3339 start time. */
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

/*
 * Protocol: the operator publishes the request with a reply inbox. Every
 * matching instance answers on that inbox zero or more `progress` messages
 * (at most every 250 ms while work runs, so the operator can draw progress
 * and knows the instance is alive) and then exactly one `result` message.
 * The operator does not know how many instances exist: it collects until no
 * message arrived for a quiet period, or until every instance that sent
 * progress has sent its result.
 */

/** Progress of one instance's replay or rebuild. */
export interface ControlProgress {
  kind: 'progress';
  service: string;
  instanceId: string;
  done: number;
  /** Best estimate of the total; may grow while work runs. */
  total: number;
}

/** Every instance's final reply to a control request. */
export interface ControlReply<T = unknown> {
  kind: 'result';
  service: string;
  instanceId: string;
  ok: boolean;
  result?: T;
  error?: { code: string; message: string };
}

/** Any message an instance sends back to a control request. */
export type ControlMessage<T = unknown> = ControlProgress | ControlReply<T>;

/** Result of a replay, per instance. */
export interface ReplayResult {
  fromSequence: number;
  toSequence: number;
  /** Events re-applied. */
  applied: number;
  /** Entries they removed. */
  invalidated: number;
  /** Malformed messages skipped. */
  malformed: number;
  durationMs: number;
}

/** Result of a rebuild, per instance. */
export interface RebuildResult {
  flushed: number;
  warmed: number;
  failed: number;
  /** Highest number of authority calls in flight at once. */
  maxInFlight: number;
  durationMs: number;
}

/**
 * Result of `stats`, per instance: the stable top-level fields of the cache
 * module's stats; `cache` and `subscription` are open objects that grow with
 * the module.
 */
export interface StatsResult {
  service: string;
  instanceId: string;
  /** false: kill switch, every read goes to the authority. */
  enabled: boolean;
  transport?: 'nats' | 'http';
  degradedPolicy?: 'bounded' | 'fail-closed';
  live: boolean;
  degraded: boolean;
  degradedReason?: string;
  appliedSequence: number;
  streamLastSequence: number;
  lag: number;
  appliedRevision: number;
  /** The cache core's counters and sizes; null while the cache is disabled. */
  cache?: Record<string, unknown> | null;
  /** The event subscription's state; null while the cache is disabled. */
  subscription?: Record<string, unknown> | null;
}
