import { timestamp } from './json-schema';

/** Most tags one event may carry. */
export const MAX_EVENT_TAGS = 10_000;

/** What an event type looks like: dot-separated lowercase words (`group.member.added`). */
export const EVENT_TYPE_PATTERN = '^[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)*$';

/**
 * The envelope every event has, whatever its type or version. Validated
 * before anything else: a message that fails it is malformed; one that passes
 * it with an unknown `type` or a higher `version` is unreadable (applied as a
 * conservative flush), and only a known type at version 1 has its payload
 * checked against the type's payload schema.
 */
export const eventEnvelopeSchema = {
  title: 'EventEnvelope',
  description: 'Envelope of every invalidation event, whatever its type or version.',
  type: 'object',
  required: ['id', 'type', 'version', 'revision', 'occurredAt', 'actor', 'tags', 'payload'],
  properties: {
    id: { description: 'Unique event id; also published as the `Nats-Msg-Id` header (deduplication).', type: 'string', minLength: 1, maxLength: 128 },
    type: { description: 'Event type; the subject is `iam.v1.events.<type>`.', type: 'string', maxLength: 128, pattern: EVENT_TYPE_PATTERN },
    version: { description: 'Envelope version; this contract is version 1. A higher version is applied as a conservative flush.', type: 'integer', minimum: 1 },
    revision: { description: 'Authority revision the change committed at (strictly increasing, no gaps).', type: 'integer', minimum: 0 },
    occurredAt: { ...timestamp, description: 'Commit time (RFC 3339).' },
    tenant: { type: 'string', minLength: 1, maxLength: 256 },
    actor: { description: 'Who made the change (never a secret).', type: 'string', minLength: 1, maxLength: 256 },
    tags: {
      description: 'What consumers act on: the tags of every cached answer the change can alter.',
      type: 'array',
      maxItems: MAX_EVENT_TAGS,
      items: { type: 'string', minLength: 3, maxLength: 1100 },
    },
    payload: {
      description: 'Typed per event type; for audit and humans. Any JSON value but null.',
      type: ['object', 'array', 'string', 'number', 'boolean'],
    },
  },
} as const;
