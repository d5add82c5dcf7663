import { safeCount, timestamp } from './json-schema';

/*
 * Operator control messages (`iam.v1.control.{replay,rebuild,stats}`,
 * scatter-gather over NATS request/reply): every matching cache instance
 * answers zero or more `progress` messages, then exactly one `result`.
 */

const service = { description: 'Only instances of this service act and reply; all when absent.', type: 'string', minLength: 1, maxLength: 256 } as const;

/** `iam.v1.control.replay` request. Exactly one of `fromSequence` or `since`. */
export const replayControlRequestSchema = {
  title: 'ReplayControlRequest',
  description: 'Re-applies the stream from a sequence or a time. Exactly one of `fromSequence` or `since`.',
  type: 'object',
  properties: {
    service,
    fromSequence: { type: 'integer', minimum: 1 },
    since: { ...timestamp, description: 'Start time (RFC 3339).' },
  },
  oneOf: [{ required: ['fromSequence'] }, { required: ['since'] }],
} as const;

/** `iam.v1.control.rebuild` request. */
export const rebuildControlRequestSchema = {
  title: 'RebuildControlRequest',
  description: 'Flushes the cache and re-warms the most recently used keys.',
  type: 'object',
  properties: {
    service,
    topN: { description: 'How many of the most recently used keys to re-warm.', type: 'integer', minimum: 0 },
    concurrency: { description: 'In-flight authority calls, at most.', type: 'integer', minimum: 1, maximum: 1024 },
  },
} as const;

/** `iam.v1.control.stats` request. */
export const statsControlRequestSchema = {
  title: 'StatsControlRequest',
  type: 'object',
  properties: { service },
} as const;

const instance = {
  service: { description: 'Service name of the replying instance.', type: 'string' },
  instanceId: { type: 'string' },
} as const;

/** Progress of one instance's replay or rebuild (at most every 250 ms while work runs). */
export const controlProgressSchema = {
  title: 'ControlProgress',
  type: 'object',
  required: ['kind', 'service', 'instanceId', 'done', 'total'],
  properties: {
    kind: { const: 'progress' },
    ...instance,
    done: safeCount,
    total: { ...safeCount, description: 'Best estimate of the total; may grow while work runs.' },
  },
} as const;

/** Error of a failed control request, per instance. */
export const controlErrorSchema = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;

/** Every instance's final reply to a control request, with `result` of the request's kind. */
export function controlReplySchema<const Title extends string, const Result extends object>(title: Title, result: Result) {
  return {
    title,
    description: "An instance's final reply: `result` when ok, `error` when not.",
    type: 'object',
    required: ['kind', 'service', 'instanceId', 'ok'],
    properties: { kind: { const: 'result' }, ...instance, ok: { type: 'boolean' }, result, error: controlErrorSchema },
  } as const;
}

/** Result of a replay, per instance. */
export const replayResultSchema = {
  title: 'ReplayResult',
  type: 'object',
  required: ['fromSequence', 'toSequence', 'applied', 'invalidated', 'malformed', 'durationMs'],
  properties: {
    fromSequence: safeCount,
    toSequence: safeCount,
    applied: { ...safeCount, description: 'Events re-applied.' },
    invalidated: { ...safeCount, description: 'Entries they removed.' },
    malformed: { ...safeCount, description: 'Malformed messages skipped.' },
    durationMs: { type: 'number', minimum: 0 },
  },
} as const;

/** Result of a rebuild, per instance. */
export const rebuildResultSchema = {
  title: 'RebuildResult',
  type: 'object',
  required: ['flushed', 'warmed', 'failed', 'maxInFlight', 'durationMs'],
  properties: {
    flushed: safeCount,
    warmed: safeCount,
    failed: safeCount,
    maxInFlight: { ...safeCount, description: 'Highest number of authority calls in flight at once.' },
    durationMs: { type: 'number', minimum: 0 },
  },
} as const;

/**
 * Result of `stats`, per instance: the stable top-level fields; `cache` and
 * `subscription` hold the cache module's counters (open objects that grow
 * with the module).
 */
export const statsResultSchema = {
  title: 'StatsResult',
  type: 'object',
  required: ['service', 'instanceId', 'enabled', 'live', 'degraded', 'appliedSequence', 'streamLastSequence', 'lag', 'appliedRevision'],
  properties: {
    service: { type: 'string' },
    instanceId: { type: 'string' },
    enabled: { description: 'false: kill switch, every read goes to the authority.', type: 'boolean' },
    transport: { enum: ['nats', 'http'] },
    degradedPolicy: { enum: ['bounded', 'fail-closed'] },
    live: { type: 'boolean' },
    degraded: { type: 'boolean' },
    degradedReason: { type: 'string' },
    appliedSequence: safeCount,
    streamLastSequence: safeCount,
    lag: safeCount,
    appliedRevision: safeCount,
    cache: { description: "The cache core's counters and sizes; null while the cache is disabled.", type: ['object', 'null'] },
    subscription: { description: "The event subscription's state; null while the cache is disabled.", type: ['object', 'null'] },
  },
} as const;

/** Final reply of one instance to `iam.v1.control.replay`. */
export const replayControlReplySchema = controlReplySchema('ReplayControlReply', replayResultSchema);
/** Final reply of one instance to `iam.v1.control.rebuild`. */
export const rebuildControlReplySchema = controlReplySchema('RebuildControlReply', rebuildResultSchema);
/** Final reply of one instance to `iam.v1.control.stats`. */
export const statsControlReplySchema = controlReplySchema('StatsControlReply', statsResultSchema);
