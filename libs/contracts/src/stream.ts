import { nanos } from '@nats-io/nats-core';
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { EVENTS_SUBJECT_WILDCARD, IAM_EVENTS_STREAM } from './subjects';

/** Options of the `IAM_EVENTS` stream. */
export interface EventStreamOptions {
  /** Stream replicas: 1 for a single node, 3 on a cluster. Default 1. */
  replicas?: number;
  /** How long events are kept. Default 7 days. */
  maxAgeMs?: number;
  /** Deduplication window on `Nats-Msg-Id`. Default and minimum 2 minutes. */
  duplicateWindowMs?: number;
}

export const DEFAULT_STREAM_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
export const MIN_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

/**
 * The stream configuration (docs/architecture.md#events-and-the-wire-contract): file storage, limits
 * retention with a max age, a duplicate window of at least two minutes.
 * Provisioning with it is idempotent (create, or update when it differs).
 */
export function eventStreamConfig(options: EventStreamOptions = {}): Partial<StreamConfig> & { name: string } {
  const replicas = options.replicas ?? 1;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_STREAM_MAX_AGE_MS;
  const duplicateWindowMs = Math.max(options.duplicateWindowMs ?? MIN_DUPLICATE_WINDOW_MS, MIN_DUPLICATE_WINDOW_MS);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new RangeError('stream replicas must be an integer from 1 to 5');
  if (!(maxAgeMs > 0)) throw new RangeError('stream maxAgeMs must be positive');
  return {
    name: IAM_EVENTS_STREAM,
    subjects: [EVENTS_SUBJECT_WILDCARD],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAgeMs),
    duplicate_window: nanos(Math.min(duplicateWindowMs, maxAgeMs)),
    num_replicas: replicas,
  };
}
