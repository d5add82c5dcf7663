import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { EnvelopeSchema } from './envelope';
import { EventDecodeError, EventEncodeError } from './errors';
import {
  EVENT_PAYLOADS,
  EVENT_VERSION,
  EventType,
  IamEvent,
  IamEventOf,
  isKnownEventType,
  PayloadOf,
  UnreadableEvent,
} from './events';

/** Largest encoded event accepted (NATS' default max payload). */
export const MAX_EVENT_BYTES = 1024 * 1024;

/** What {@link decodeEvent} returns: exactly one of three outcomes, never a throw. */
export type DecodeResult =
  | { kind: 'event'; event: IamEvent }
  | { kind: 'unreadable'; event: UnreadableEvent; reason: 'unknown-type' | 'higher-version' }
  | { kind: 'error'; error: EventDecodeError };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function firstError(errors: ValidationError[], prefix = ''): { field: string; message: string } | undefined {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) {
      const message = Object.values(error.constraints)[0] ?? 'is invalid';
      return { field, message };
    }
    const nested = firstError(error.children ?? [], field);
    if (nested) return nested;
  }
  return undefined;
}

function validatePlain<T extends object>(cls: new () => T, plain: unknown): { field: string; message: string } | undefined {
  const instance = plainToInstance(cls, plain) as T;
  return firstError(validateSync(instance, { forbidUnknownValues: false }));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a decoded JSON value as an event. Used by {@link decodeEvent} and
 * by anyone holding an already-parsed message.
 */
export function validateEvent(value: unknown): DecodeResult {
  try {
    if (!isPlainObject(value)) {
      return { kind: 'error', error: new EventDecodeError('EVENT_INVALID_ENVELOPE', '$', 'event must be a JSON object') };
    }
    const envelopeError = validatePlain(EnvelopeSchema, value);
    if (envelopeError) {
      return {
        kind: 'error',
        error: new EventDecodeError('EVENT_INVALID_ENVELOPE', envelopeError.field, `${envelopeError.field}: ${envelopeError.message}`),
      };
    }
    const envelope = value as unknown as UnreadableEvent;
    if (envelope.version > EVENT_VERSION) return { kind: 'unreadable', event: envelope, reason: 'higher-version' };
    if (!isKnownEventType(envelope.type)) return { kind: 'unreadable', event: envelope, reason: 'unknown-type' };
    if (!isPlainObject(envelope.payload)) {
      return { kind: 'error', error: new EventDecodeError('EVENT_INVALID_PAYLOAD', 'payload', 'payload must be an object') };
    }
    const payloadError = validatePlain(EVENT_PAYLOADS[envelope.type] as new () => object, envelope.payload);
    if (payloadError) {
      const field = `payload.${payloadError.field}`;
      return { kind: 'error', error: new EventDecodeError('EVENT_INVALID_PAYLOAD', field, `${field}: ${payloadError.message}`) };
    }
    return { kind: 'event', event: envelope as unknown as IamEvent };
  } catch (err) {
    // class-validator/transformer should not throw on JSON input; if they do, it is still a bad message.
    return { kind: 'error', error: new EventDecodeError('EVENT_INVALID_ENVELOPE', '$', `event could not be validated: ${(err as Error).name}`) };
  }
}

/** Decodes bytes from the wire. Never throws: every failure is a typed {@link EventDecodeError}. */
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
