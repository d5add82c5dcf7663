import { stringify } from 'yaml';
import {
  CHECKPOINT_SUBJECT,
  CONTRACT_SCHEMAS,
  CONTROL_SUBJECTS,
  EVENT_PAYLOAD_SCHEMAS,
  EVENT_TYPES,
  EVENT_VERSION,
  EventType,
  IAM_EVENTS_STREAM,
  RPC_QUEUE_GROUP,
  RPC_SERVICE,
  RPC_SUBJECTS,
  subjectFor,
} from '../src';

/*
 * Builds docs/asyncapi.yaml (AsyncAPI 3.0) from the contract's schemas, the
 * subjects and the event types: nothing in it is written by hand. The
 * document describes the system (the authority and every cache embedding
 * @iam/authz-cache) as one application: it sends events and checkpoints, and
 * receives RPC and control requests, which it answers on the requester's
 * inbox (NATS request/reply).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Version of the wire contract (the `v1` in the subjects). */
export const CONTRACT_DOC_VERSION = '1.0.0';

const ref = ($ref: string): JsonObject => ({ $ref });
const schemaRef = (name: string): JsonObject => ref(`#/components/schemas/${name}`);

/** `group.member.added` -> `GroupMemberAdded` */
function pascal(type: string): string {
  return type
    .split('.')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

const SCHEMA_NAMES = new Map<object, string>(Object.entries(CONTRACT_SCHEMAS).map(([name, schema]) => [schema, name]));

/**
 * A schema as plain JSON, with every nested schema that is itself one of the
 * contract's named schemas replaced by a `$ref` to it (the TypeScript
 * constants compose by reference, so identity finds them).
 */
function toJson(value: unknown, root: boolean): Json {
  if (Array.isArray(value)) return value.map((item) => toJson(item, false));
  if (typeof value === 'object' && value !== null) {
    const named = root ? undefined : SCHEMA_NAMES.get(value);
    if (named) return schemaRef(named);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item, false)]));
  }
  return value as Json;
}

function payloadSchemaName(type: EventType): string {
  const schema = EVENT_PAYLOAD_SCHEMAS[type];
  const name = SCHEMA_NAMES.get(schema);
  if (!name) throw new Error(`the payload schema of ${type} is not in CONTRACT_SCHEMAS`);
  return name;
}

/** A request/reply pair answered on the requester's inbox. */
interface RequestReply {
  id: string;
  address: string;
  summary: string;
  description: string;
  request: { name: string; schema: string; summary: string };
  replies: { name: string; schema: string; summary: string }[];
  queue?: string;
}

const RPC_NOTE =
  ' Plain JSON both ways; the authority runs it as a NATS service (`' + RPC_SERVICE.name + '` ' + RPC_SERVICE.version + ', discoverable with `$SRV.PING|INFO|STATS`). ' +
  'Error replies keep the JSON body and also carry the headers `Nats-Service-Error-Code` (HTTP-like status) and `Nats-Service-Error`.';

const REQUEST_REPLIES: RequestReply[] = [
  {
    id: 'rpc.check',
    address: RPC_SUBJECTS.check,
    summary: 'May a principal do an action on a resource?',
    description: 'Answered by one authority instance (queue group).' + RPC_NOTE,
    request: { name: 'CheckRequest', schema: 'CheckRpcRequest', summary: 'A check, with the caller service token.' },
    replies: [{ name: 'CheckReply', schema: 'CheckReply', summary: 'The decision and the tags it depended on, or an error.' }],
    queue: RPC_QUEUE_GROUP,
  },
  {
    id: 'rpc.identity.resolve',
    address: RPC_SUBJECTS.resolveIdentity,
    summary: 'Who does a bearer token belong to?',
    description: 'Answered by one authority instance (queue group).' + RPC_NOTE,
    request: { name: 'ResolveIdentityRequest', schema: 'ResolveIdentityRpcRequest', summary: 'A bearer token, with the caller service token.' },
    replies: [{ name: 'ResolveIdentityReply', schema: 'ResolveIdentityReply', summary: 'The identity and its tags, or an error.' }],
    queue: RPC_QUEUE_GROUP,
  },
  ...(
    [
      ['replay', 'ReplayControlRequest', 'ReplayControlReply', 'Re-apply the stream from a sequence or a time.'],
      ['rebuild', 'RebuildControlRequest', 'RebuildControlReply', 'Flush and re-warm the most recently used keys.'],
      ['stats', 'StatsControlRequest', 'StatsControlReply', "Each instance's cache and subscription state."],
    ] as const
  ).map(
    ([kind, request, reply, summary]): RequestReply => ({
      id: `control.${kind}`,
      address: CONTROL_SUBJECTS[kind],
      summary,
      description:
        'Scatter-gather: every cache instance matching `service` (all when absent) answers on the inbox zero or more ' +
        '`ControlProgress` messages (at most every 250 ms while work runs), then exactly one result. The operator ' +
        'collects until no message arrived for a quiet period, or every instance that sent progress has sent its result.',
      request: { name: request, schema: request, summary: `${kind} request.` },
      replies: [
        { name: 'ControlProgress', schema: 'ControlProgress', summary: 'Progress of one instance.' },
        { name: reply, schema: reply, summary: `Final ${kind} reply of one instance.` },
      ],
    }),
  ),
];

function message(name: string, schema: string, summary: string, extra: JsonObject = {}): JsonObject {
  return { name, title: name, summary, contentType: 'application/json', payload: schemaRef(schema), ...extra };
}

/** The AsyncAPI 3.0 document, as a plain object. */
export function buildAsyncApiDocument(): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};
  const schemas: JsonObject = {};

  for (const [name, schema] of Object.entries(CONTRACT_SCHEMAS)) schemas[name] = toJson(schema, true);

  for (const type of EVENT_TYPES) {
    const name = `${pascal(type)}Event`;
    const channelId = `events.${type}`;
    schemas[name] = {
      title: name,
      description: `A \`${type}\` event: the envelope, with this type, version ${EVENT_VERSION} and its payload.`,
      allOf: [
        schemaRef('EventEnvelope'),
        {
          type: 'object',
          properties: { type: { const: type }, version: { const: EVENT_VERSION }, payload: schemaRef(payloadSchemaName(type)) },
        },
      ],
    };
    messages[name] = message(name, name, `\`${type}\` invalidation event.`, { headers: schemaRef('EventHeaders') });
    channels[channelId] = {
      address: subjectFor(type),
      title: type,
      description: `Captured by the JetStream stream \`${IAM_EVENTS_STREAM}\` (subjects \`iam.v1.events.>\`).`,
      messages: { [name]: ref(`#/components/messages/${name}`) },
    };
    operations[`send.${channelId}`] = {
      action: 'send',
      channel: ref(`#/channels/${channelId}`),
      summary: `The authority's outbox relay publishes \`${type}\` once it committed (at-least-once; duplicates dropped by \`Nats-Msg-Id\`).`,
      messages: [ref(`#/channels/${channelId}/messages/${name}`)],
    };
  }
  schemas.EventHeaders = {
    title: 'EventHeaders',
    type: 'object',
    properties: { 'Nats-Msg-Id': { description: 'The event `id`: the stream drops a re-publish inside its duplicate window.', type: 'string' } },
  };

  messages.Checkpoint = message('Checkpoint', 'Checkpoint', 'Freshness checkpoint of the active outbox relay.');
  channels.checkpoint = {
    address: CHECKPOINT_SUBJECT,
    title: 'checkpoint',
    description: 'Core NATS, not stored in the stream; only the authority may publish on it.',
    messages: { Checkpoint: ref('#/components/messages/Checkpoint') },
  };
  operations['send.checkpoint'] = {
    action: 'send',
    channel: ref('#/channels/checkpoint'),
    summary: 'The active relay publishes a checkpoint every IAM_CHECKPOINT_MS (default 250 ms) while it is caught up.',
    messages: [ref('#/channels/checkpoint/messages/Checkpoint')],
  };

  for (const pair of REQUEST_REPLIES) {
    const replyId = `${pair.id}.reply`;
    messages[pair.request.name] = message(pair.request.name, pair.request.schema, pair.request.summary);
    for (const reply of pair.replies) messages[reply.name] = message(reply.name, reply.schema, reply.summary);
    channels[pair.id] = {
      address: pair.address,
      title: pair.id,
      description: pair.description,
      messages: { [pair.request.name]: ref(`#/components/messages/${pair.request.name}`) },
    };
    channels[replyId] = {
      address: null,
      title: `${pair.id} reply`,
      description: "The requester's inbox (the NATS reply subject of the request).",
      messages: Object.fromEntries(pair.replies.map((reply) => [reply.name, ref(`#/components/messages/${reply.name}`)])),
    };
    operations[`receive.${pair.id}`] = {
      action: 'receive',
      channel: ref(`#/channels/${pair.id}`),
      summary: pair.summary,
      messages: [ref(`#/channels/${pair.id}/messages/${pair.request.name}`)],
      reply: {
        channel: ref(`#/channels/${replyId}`),
        messages: pair.replies.map((reply) => ref(`#/channels/${replyId}/messages/${reply.name}`)),
      },
      ...(pair.queue ? { bindings: { nats: { queue: pair.queue, bindingVersion: '0.1.0' } } } : {}),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'IAM cache invalidation',
      version: CONTRACT_DOC_VERSION,
      description:
        'Wire contract between the IAM authority and the authorization caches: invalidation events on JetStream, ' +
        'freshness checkpoints, the authority read API (check, resolve identity) and the operators\' control requests. ' +
        'Every schema here is generated from the JSON Schemas in @iam/contracts (draft-07), the single source of truth. ' +
        'A consumer must apply an event of an unknown type or a higher `version` as a conservative flush of what its ' +
        '`tags` could touch (everything, if it has none), never ignore it.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas, messages },
  };
}

/** The document as committed in docs/asyncapi.yaml. */
export function renderAsyncApiYaml(): string {
  const header = '# Generated by `npm run docs:asyncapi` from libs/contracts/src/schema. Do not edit: change the schemas and regenerate.\n';
  return header + stringify(buildAsyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false });
}
