import { identifier, stringList, timestamp } from './json-schema';

/*
 * One schema per payload shape. Payloads are for audit and humans; consumers
 * act on the envelope's `tags`. Payloads are open (unknown properties are
 * accepted and kept) so that a producer may add an optional field without a
 * version bump.
 */

/** `principal.created` */
export const principalCreatedPayloadSchema = {
  title: 'PrincipalCreatedPayload',
  type: 'object',
  required: ['principalId'],
  properties: {
    principalId: identifier,
    displayName: { type: 'string', maxLength: 256 },
  },
} as const;

/** `principal.disabled` */
export const principalDisabledPayloadSchema = {
  title: 'PrincipalDisabledPayload',
  type: 'object',
  required: ['principalId'],
  properties: { principalId: identifier },
} as const;

/** `principal.deleted`: the principal's tokens die with it. */
export const principalDeletedPayloadSchema = {
  title: 'PrincipalDeletedPayload',
  description: "The principal's tokens die with it.",
  type: 'object',
  required: ['principalId', 'tokenIds'],
  properties: { principalId: identifier, tokenIds: stringList },
} as const;

/** `group.created` */
export const groupCreatedPayloadSchema = {
  title: 'GroupCreatedPayload',
  type: 'object',
  required: ['groupId'],
  properties: { groupId: identifier },
} as const;

/** `group.deleted`: the members it had when it was deleted. */
export const groupDeletedPayloadSchema = {
  title: 'GroupDeletedPayload',
  description: 'The members the group had when it was deleted.',
  type: 'object',
  required: ['groupId', 'members'],
  properties: { groupId: identifier, members: stringList },
} as const;

/** `group.member.added` and `group.member.removed` */
export const groupMemberPayloadSchema = {
  title: 'GroupMemberPayload',
  type: 'object',
  required: ['groupId', 'principalId'],
  properties: { groupId: identifier, principalId: identifier },
} as const;

/** `role.created` and `role.updated` */
export const rolePayloadSchema = {
  title: 'RolePayload',
  type: 'object',
  required: ['roleId', 'actions'],
  properties: { roleId: identifier, actions: stringList },
} as const;

/** `role.deleted`: the policies that referenced the role are deleted with it. */
export const roleDeletedPayloadSchema = {
  title: 'RoleDeletedPayload',
  description: 'The policies that referenced the role are deleted with it.',
  type: 'object',
  required: ['roleId', 'policyIds'],
  properties: { roleId: identifier, policyIds: stringList },
} as const;

/** `policy.created` and `policy.updated` (the policy as it is after the change). */
export const policyPayloadSchema = {
  title: 'PolicyPayload',
  description: 'The policy as it is after the change.',
  type: 'object',
  required: ['policyId', 'subjects', 'resources', 'effect'],
  properties: {
    policyId: identifier,
    subjects: stringList,
    role: { type: 'string' },
    actions: { type: 'array', items: { type: 'string' } },
    resources: stringList,
    effect: { enum: ['allow', 'deny'] },
  },
} as const;

/** `policy.deleted` */
export const policyDeletedPayloadSchema = {
  title: 'PolicyDeletedPayload',
  type: 'object',
  required: ['policyId'],
  properties: { policyId: identifier },
} as const;

/** `token.created` (never the secret). */
export const tokenCreatedPayloadSchema = {
  title: 'TokenCreatedPayload',
  description: 'Never carries the secret.',
  type: 'object',
  required: ['tokenId', 'principalId'],
  properties: { tokenId: identifier, principalId: identifier, expiresAt: timestamp },
} as const;

/** `token.revoked` */
export const tokenRevokedPayloadSchema = {
  title: 'TokenRevokedPayload',
  type: 'object',
  required: ['tokenId', 'principalId'],
  properties: { tokenId: identifier, principalId: identifier },
} as const;

/** `resource.deleted`: answers about the resource and everything under it. */
export const resourceDeletedPayloadSchema = {
  title: 'ResourceDeletedPayload',
  description: 'Answers about the resource and everything under it.',
  type: 'object',
  required: ['resource'],
  properties: { resource: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

/** Scopes of a `cache.flush`. */
export const FLUSH_SCOPES = ['all', 'tenant', 'partition', 'principal'] as const;

/**
 * `cache.flush` (break-glass). The field named after the scope is required
 * for `tenant`, `partition` and `principal`.
 */
export const cacheFlushPayloadSchema = {
  title: 'CacheFlushPayload',
  description:
    '`all` drops every entry everywhere; `tenant` drops what caches serving that tenant hold; ' +
    '`partition` drops one identity partition; `principal` drops everything tagged with the principal. ' +
    'The field named after the scope is required for the last three.',
  type: 'object',
  required: ['scope'],
  properties: {
    scope: { enum: FLUSH_SCOPES },
    tenant: { type: 'string', minLength: 1 },
    partition: { type: 'integer', minimum: 0 },
    principal: { type: 'string', minLength: 1 },
    reason: { type: 'string', maxLength: 1024 },
  },
  allOf: [
    { if: { properties: { scope: { const: 'tenant' } } }, then: { required: ['tenant'] } },
    { if: { properties: { scope: { const: 'partition' } } }, then: { required: ['partition'] } },
    { if: { properties: { scope: { const: 'principal' } } }, then: { required: ['principal'] } },
  ],
} as const;

/** Payload schema of every known event type (the discriminated union's source of truth). */
export const EVENT_PAYLOAD_SCHEMAS = {
  'principal.created': principalCreatedPayloadSchema,
  'principal.disabled': principalDisabledPayloadSchema,
  'principal.deleted': principalDeletedPayloadSchema,
  'group.created': groupCreatedPayloadSchema,
  'group.deleted': groupDeletedPayloadSchema,
  'group.member.added': groupMemberPayloadSchema,
  'group.member.removed': groupMemberPayloadSchema,
  'role.created': rolePayloadSchema,
  'role.updated': rolePayloadSchema,
  'role.deleted': roleDeletedPayloadSchema,
  'policy.created': policyPayloadSchema,
  'policy.updated': policyPayloadSchema,
  'policy.deleted': policyDeletedPayloadSchema,
  'token.created': tokenCreatedPayloadSchema,
  'token.revoked': tokenRevokedPayloadSchema,
  'resource.deleted': resourceDeletedPayloadSchema,
  'cache.flush': cacheFlushPayloadSchema,
} as const;
