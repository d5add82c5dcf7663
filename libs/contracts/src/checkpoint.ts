import { checkpointSchema } from './schema/checkpoint-schema';
import { schemaCheck } from './schema/schema-validator';

/*
 * Freshness checkpoints (the lease's proof). The active outbox relay publishes
 * one on core NATS every `IAM_CHECKPOINT_MS` (default 250 ms), only while every
 * event up to `revision` is on the stream. Not stored in the stream.
 */

/** Core NATS subject of checkpoints; only the authority may publish on it. */
export const CHECKPOINT_SUBJECT = 'iam.v1.checkpoint';

/** Default interval between two checkpoints of the active relay. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 250;

/** Version of the checkpoint message format. */
export const CHECKPOINT_VERSION = 1;

/**
 * "At `issuedAt`, the authority had committed `revision`, and every event up
 * to it was on the stream at or before stream sequence `sequence`." A
 * consumer that has applied every stream message up to `sequence` is fresh as
 * of the checkpoint (conservatively: as of its receipt, less the age the
 * checkpoint visibly had on arrival). Checked at compile time against
 * {@link checkpointSchema}, the source of truth.
 */
export interface Checkpoint {
  v: typeof CHECKPOINT_VERSION;
  /** The authority's committed revision when the checkpoint was made. */
  revision: number;
  /** A stream sequence at or after the event of `revision` (0: empty stream). */
  sequence: number;
  /** `created` of the stream the sequence refers to (a recreated stream restarts its sequences). */
  stream: string;
  /** Authority wall-clock time (ms since the epoch) when the state above was read. */
  issuedAt: number;
  /** Instance id of the relay that sent it (observability). */
  relay: string;
}

/** Why a message on {@link CHECKPOINT_SUBJECT} was refused. */
export class CheckpointDecodeError extends Error {
  override readonly name = 'CheckpointDecodeError';
  readonly code = 'CHECKPOINT_INVALID';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Largest checkpoint accepted (they are a few hundred bytes). */
export const MAX_CHECKPOINT_BYTES = 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const checkCheckpoint = schemaCheck(checkpointSchema);

/** Checks a parsed value; throws {@link CheckpointDecodeError} naming the first bad field. */
export function validateCheckpoint(value: unknown): Checkpoint {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CheckpointDecodeError('$', 'checkpoint must be a JSON object');
  const violation = checkCheckpoint(value);
  if (violation) throw new CheckpointDecodeError(violation.field, violation.message);
  const c = value as Checkpoint;
  // A copy of the known fields only: unknown ones (a newer relay's) are not passed on.
  return { v: CHECKPOINT_VERSION, revision: c.revision, sequence: c.sequence, stream: c.stream, issuedAt: c.issuedAt, relay: c.relay };
}

/** Encodes a checkpoint (validated). */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  return encoder.encode(JSON.stringify(validateCheckpoint(checkpoint)));
}

/** Decodes a checkpoint message; throws {@link CheckpointDecodeError} on anything else. */
export function decodeCheckpoint(data: Uint8Array): Checkpoint {
  if (data.byteLength > MAX_CHECKPOINT_BYTES) throw new CheckpointDecodeError('$', `checkpoint larger than ${MAX_CHECKPOINT_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch {
    throw new CheckpointDecodeError('$', 'checkpoint is not UTF-8 JSON');
  }
  return validateCheckpoint(parsed);
}
