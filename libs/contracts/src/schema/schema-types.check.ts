import type { FromSchema } from 'json-schema-to-ts';
import type { Checkpoint } from '../checkpoint';
import type { ControlProgress, ControlReply, RebuildControlRequest, RebuildResult, ReplayControlRequest, ReplayResult, StatsControlRequest, StatsResult } from '../control';
import type { EnvelopeFields, UnreadableEvent } from '../events';
import type { EventPayloads } from '../payloads';
import type {
  AuthorityErrorBody,
  CheckRequest,
  CheckResult,
  CheckRpcRequest,
  ResolvedIdentity,
  ResolveIdentityRequest,
  ResolveIdentityRpcRequest,
  RpcReply,
} from '../rpc';
import type { checkpointSchema } from './checkpoint-schema';
import type {
  controlProgressSchema,
  rebuildControlReplySchema,
  rebuildControlRequestSchema,
  rebuildResultSchema,
  replayControlReplySchema,
  replayControlRequestSchema,
  replayResultSchema,
  statsControlReplySchema,
  statsControlRequestSchema,
  statsResultSchema,
} from './control-schemas';
import type { eventEnvelopeSchema } from './envelope-schema';
import type { EVENT_PAYLOAD_SCHEMAS } from './payload-schemas';
import type {
  authorityErrorBodySchema,
  checkReplySchema,
  checkRequestSchema,
  checkResultSchema,
  checkRpcRequestSchema,
  resolvedIdentitySchema,
  resolveIdentityReplySchema,
  resolveIdentityRequestSchema,
  resolveIdentityRpcRequestSchema,
} from './rpc-schemas';

/*
 * Compile-time proof that the hand-written interfaces (which carry the JSDoc
 * and are what the package's declarations show) are exactly the types the
 * schemas describe. `npm run typecheck` fails on any drift: a field added,
 * removed, made optional or retyped on one side only.
 *
 * How: json-schema-to-ts derives a type from each `const` schema; both sides
 * are normalized (intersections flattened, index signatures dropped: the
 * schemas are open to unknown properties, the interfaces name the known ones)
 * and compared with an exact type equality, not mere assignability (which
 * would miss an optional field present on one side only).
 *
 * Not expressible in the types, so left out of the comparison on purpose:
 * `if`/`then` (a flush's scoped field is required for its scope) and
 * `oneOf` of `required` (a replay names exactly one start); both are enforced
 * by the schemas at run time.
 */

/** Drops index signatures and flattens intersections, recursively. */
type Normalize<T> = T extends readonly (infer U)[]
  ? Normalize<U>[]
  : T extends object
    ? { -readonly [K in keyof T as string extends K ? never : number extends K ? never : K]: Normalize<T[K]> }
    : T;

/** The type a schema describes. */
type Derived<S> = FromSchema<S & object>;

/** Exact equality (distinguishes optional from required, `any` from `unknown`). */
type Equals<A, B> = (<V>() => V extends A ? 1 : 2) extends <V>() => V extends B ? 1 : 2 ? true : false;
/** Compiles only when the interface and the schema's type are the same after {@link Normalize}. */
type Same<Interface, Schema> = Equals<Normalize<Interface>, Normalize<Derived<Schema>>>;
/** {@link Same} for the fields other than `K` (normalized before omitting: `Omit` of an index-signature type keeps nothing). */
type SameExcept<Interface, Schema, K extends PropertyKey> = Equals<Normalize<Omit<Normalize<Interface>, K>>, Normalize<Omit<Normalize<Derived<Schema>>, K>>>;
type Assert<T extends true> = T;

type PayloadsMatch = { [T in keyof EventPayloads]: Same<EventPayloads[T], (typeof EVENT_PAYLOAD_SCHEMAS)[T]> };

/** Every assertion; exported so that no "unused" rule hides one. */
export type SchemaTypeAssertions = [
  Assert<Equals<keyof EventPayloads, keyof typeof EVENT_PAYLOAD_SCHEMAS>>,
  Assert<Equals<PayloadsMatch[keyof PayloadsMatch], true>>,
  Assert<SameExcept<EnvelopeFields, typeof eventEnvelopeSchema, 'type' | 'version' | 'payload'>>,
  Assert<SameExcept<UnreadableEvent, typeof eventEnvelopeSchema, 'payload'>>,
  Assert<Same<Checkpoint, typeof checkpointSchema>>,
  Assert<Same<CheckRequest, typeof checkRequestSchema>>,
  Assert<Same<CheckRpcRequest, typeof checkRpcRequestSchema>>,
  Assert<Same<CheckResult, typeof checkResultSchema>>,
  Assert<Same<ResolveIdentityRequest, typeof resolveIdentityRequestSchema>>,
  Assert<Same<ResolveIdentityRpcRequest, typeof resolveIdentityRpcRequestSchema>>,
  Assert<Same<ResolvedIdentity, typeof resolvedIdentitySchema>>,
  Assert<Same<AuthorityErrorBody, typeof authorityErrorBodySchema>>,
  Assert<Same<RpcReply<CheckResult>, typeof checkReplySchema>>,
  Assert<Same<RpcReply<ResolvedIdentity>, typeof resolveIdentityReplySchema>>,
  Assert<Same<ReplayControlRequest, SchemaWithout<typeof replayControlRequestSchema, 'oneOf'>>>,
  Assert<Same<RebuildControlRequest, typeof rebuildControlRequestSchema>>,
  Assert<Same<StatsControlRequest, typeof statsControlRequestSchema>>,
  Assert<Same<ControlProgress, typeof controlProgressSchema>>,
  Assert<Same<ReplayResult, typeof replayResultSchema>>,
  Assert<Same<RebuildResult, typeof rebuildResultSchema>>,
  Assert<Same<StatsResult, typeof statsResultSchema>>,
  Assert<Same<ControlReply<ReplayResult>, typeof replayControlReplySchema>>,
  Assert<Same<ControlReply<RebuildResult>, typeof rebuildControlReplySchema>>,
  Assert<Same<ControlReply<StatsResult>, typeof statsControlReplySchema>>,
];

/** A schema without one of its keywords (a plain object type: the schema has no index signature). */
type SchemaWithout<S, K extends keyof S> = Omit<S, K>;

/* The mechanism itself is checked: a drifted interface must be refused. */
// @ts-expect-error an interface missing a required field of its schema is drift
export type DriftIsCaught = Assert<Same<{ tokenId: string }, (typeof EVENT_PAYLOAD_SCHEMAS)['token.revoked']>>;
// @ts-expect-error an optional field the schema does not have is drift too
export type ExtraOptionalIsCaught = Assert<Same<{ tokenId: string; principalId: string; note?: string }, (typeof EVENT_PAYLOAD_SCHEMAS)['token.revoked']>>;
