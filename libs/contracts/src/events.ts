import { EventPayloads } from './payloads';
import { EVENT_PAYLOAD_SCHEMAS } from './schema/payload-schemas';

/** The envelope version this code reads and writes. */
export const EVENT_VERSION = 1 as const;

export { EVENT_PAYLOAD_SCHEMAS };

/** Every event type this version knows. */
export type EventType = keyof EventPayloads;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOAD_SCHEMAS) as EventType[];

/** The payload type of event type `T`. */
export type PayloadOf<T extends EventType> = EventPayloads[T];

/** Whether `type` is an event type this version knows. */
export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_PAYLOAD_SCHEMAS, type);
}

/** Envelope fields shared by every event. */
export interface EnvelopeFields {
  /** Unique id; also the `Nats-Msg-Id` (deduplication). */
  id: string;
  /** Authority revision the change committed at. */
  revision: number;
  /** RFC 3339 time of the commit. */
  occurredAt: string;
  tenant?: string;
  /** Who made the change (never a secret). */
  actor: string;
  /** What consumers act on: the tags of every answer this change can alter. */
  tags: string[];
}

/** An event of type `T`. */
export type IamEventOf<T extends EventType> = EnvelopeFields & {
  type: T;
  version: typeof EVENT_VERSION;
  payload: PayloadOf<T>;
};

/** The discriminated union of every known event (narrow on `type`). */
export type IamEvent = { [T in EventType]: IamEventOf<T> }[EventType];

/**
 * A valid envelope of an event this version cannot read (unknown `type` or a
 * higher `version`). Consumers must apply it as a conservative flush of what
 * it could touch, never ignore it.
 */
export interface UnreadableEvent extends EnvelopeFields {
  type: string;
  version: number;
  payload: unknown;
}
