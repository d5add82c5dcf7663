import { randomUUID } from 'node:crypto';
import { EventDecodeError, EventEncodeError } from './errors';
import {
  EVENT_PAYLOAD_SCHEMAS,
  EVENT_VERSION,
  EventType,
  IamEvent,
  IamEventOf,
  isKnownEventType,
  PayloadOf,
  UnreadableEvent,
} from './events';
import { eventEnvelopeSchema } from './schema/envelope-schema';
import { ContractSchemaError, schemaCheck, SchemaCheck } from './schema/schema-validator';

/** Largest encoded event accepted (NATS' default max payload). */
export const MAX_EVENT_BYTES = 1024 * 1024;

/** What {@link decodeEvent} returns: exactly one of three outcomes, never a throw. */
export type DecodeResult =
  | { kind: 'event'; event: IamEvent }
  | { kind: 'unreadable'; event: UnreadableEvent; reason: 'unknown-type' | 'higher-version' }
  | { kind: 'error'; error: EventDecodeError };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const checkEnvelope = schemaCheck(eventEnvelopeSchema);
const checkPayload = Object.fromEntries(
  Object.entries(EVENT_PAYLOAD_SCHEMAS).map(([type, schema]) => [type, schemaCheck(schema)]),
) as Record<EventType, SchemaCheck>;

/**
 * Compiles the envelope and every payload validator now. Validators compile
 * on first use otherwise, which puts a few tens of milliseconds on the first
 * event of each type (the first commit of the authority, the first event a
 * cache applies); a service calls this once at start-up. Idempotent.
 */
export function warmUpEventCodec(): void {
  checkEnvelope.compile();
  for (const check of Object.values(checkPayload)) check.compile();
}

// Until every service calls warmUpEventCodec() at start-up, warm up on the
// first idle turn after this module loads (in the background: the timer does
// not keep a short-lived process such as iamctl alive).
setTimeout(warmUpEventCodec, 0).unref();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a decoded JSON value as an event. Used by {@link decodeEvent} and
 * by anyone holding an already-parsed message. The envelope is checked first
 * (its schema holds for every type and version); only a known type at this
 * version has its payload checked.
 */
export function validateEvent(value: unknown): DecodeResult {
  try {
    if (!isPlainObject(value)) {
      return { kind: 'error', error: new EventDecodeError('EVENT_INVALID_ENVELOPE', '$', 'event must be a JSON object') };
    }
    const envelopeError = checkEnvelope(value);
    if (envelopeError) {
      return { kind: 'error', error: new EventDecodeError('EVENT_INVALID_ENVELOPE', envelopeError.field, envelopeError.message) };
    }
    const envelope = value as unknown as UnreadableEvent;
    if (envelope.version > EVENT_VERSION) return { kind: 'unreadable', event: envelope, reason: 'higher-version' };
    if (!isKnownEventType(envelope.type)) return { kind: 'unreadable', event: envelope, reason: 'unknown-type' };
    const payloadError = checkPayload[envelope.type](envelope.payload, 'payload');
    if (payloadError) {
      return { kind: 'error', error: new EventDecodeError('EVENT_INVALID_PAYLOAD', payloadError.field, payloadError.message) };
    }
    return { kind: 'event', event: envelope as unknown as IamEvent };
  } catch (err) {
    // A schema that does not compile is this package's defect: reporting every event as malformed would drop them all.
    if (err instanceof ContractSchemaError) throw err;
    // Compiled validators do not throw on JSON input; if one ever does, it is still a bad message, not a crash.
    return { kind: 'error', error: new EventDecodeError('EVENT_INVALID_ENVELOPE', '$', `event could not be validated: ${(err as Error).name}`) };
  }
}

/**
 * Decodes bytes from the wire. Never throws on any input: every failure is a
 * typed {@link EventDecodeError} (only a defect of this package, a schema that
 * does not compile, throws a `ContractSchemaError`).
 */
export function decodeEvent(data: Uint8Array): DecodeResult {
  if (data.byteLength > MAX_EVENT_BYTES) {
    return {
      kind: 'error',
      error: new EventDecodeError('EVENT_TOO_LARGE', '$', `event is ${data.byteLength} bytes, more than ${MAX_EVENT_BYTES}`),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return { kind: 'error', error: new EventDecodeError('EVENT_INVALID_JSON', '$', 'event is not valid UTF-8 JSON') };
  }
  return validateEvent(value);
}

/** Encodes a valid event; throws {@link EventEncodeError} naming the field if it is not. */
export function encodeEvent(event: IamEvent): Uint8Array {
  const result = validateEvent(event);
  if (result.kind === 'error') throw new EventEncodeError(result.error.field, result.error.message);
  if (result.kind === 'unreadable') throw new EventEncodeError('type', `cannot encode unreadable event type ${event.type}`);
  const bytes = encoder.encode(JSON.stringify(event));
  if (bytes.byteLength > MAX_EVENT_BYTES) throw new EventEncodeError('$', `event is larger than ${MAX_EVENT_BYTES} bytes`);
  return bytes;
}

/** Fields the producer supplies for a new event; id, version and time are filled in. */
export interface NewEventInput<T extends EventType> {
  type: T;
  revision: number;
  actor: string;
  tags: string[];
  payload: PayloadOf<T>;
  tenant?: string;
  id?: string;
  occurredAt?: Date;
}

/** Builds an event of type `T` (an id and the current time unless given). */
export function createEvent<T extends EventType>(input: NewEventInput<T>): IamEventOf<T> {
  const event = {
    id: input.id ?? randomUUID(),
    type: input.type,
    version: EVENT_VERSION,
    revision: input.revision,
    occurredAt: (input.occurredAt ?? new Date()).toISOString(),
    actor: input.actor,
    tags: [...new Set(input.tags)],
    payload: { ...input.payload },
  } as IamEventOf<T>;
  if (input.tenant !== undefined) event.tenant = input.tenant;
  return event;
}
