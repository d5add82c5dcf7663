import {
  CacheFlushPayload,
  GroupCreatedPayload,
  GroupDeletedPayload,
  GroupMemberPayload,
  PolicyDeletedPayload,
  PolicyPayload,
  PrincipalCreatedPayload,
  PrincipalDeletedPayload,
  PrincipalDisabledPayload,
  ResourceDeletedPayload,
  RoleDeletedPayload,
  RolePayload,
  TokenCreatedPayload,
  TokenRevokedPayload,
} from './payloads';

/** The envelope version this code reads and writes. */
export const EVENT_VERSION = 1 as const;

/** Payload class of every known event type (the discriminated union's source of truth). */
export const EVENT_PAYLOADS = {
  'principal.created': PrincipalCreatedPayload,
  'principal.disabled': PrincipalDisabledPayload,
  'principal.deleted': PrincipalDeletedPayload,
  'group.created': GroupCreatedPayload,
  'group.deleted': GroupDeletedPayload,
  'group.member.added': GroupMemberPayload,
  'group.member.removed': GroupMemberPayload,
  'role.created': RolePayload,
  'role.updated': RolePayload,
  'role.deleted': RoleDeletedPayload,
  'policy.created': PolicyPayload,
  'policy.updated': PolicyPayload,
  'policy.deleted': PolicyDeletedPayload,
  'token.created': TokenCreatedPayload,
  'token.revoked': TokenRevokedPayload,
  'resource.deleted': ResourceDeletedPayload,
  'cache.flush': CacheFlushPayload,
} as const;

/** Every event type this version knows. */
export type EventType = keyof typeof EVENT_PAYLOADS;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];

/** The payload type of event type `T`. */
export type PayloadOf<T extends EventType> = InstanceType<(typeof EVENT_PAYLOADS)[T]>;

/** Whether `type` is an event type this version knows. */
export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_PAYLOADS, type);
}

/** Envelope fields shared by every event. */
export interface EnvelopeFields {
  /** Unique id; also the `Nats-Msg-Id` (deduplication). */
  id: string;
  /** Authority revision the change committed at. */
  revision: number;
  /** ISO-8601 time of the commit. */
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
