import { FLUSH_SCOPES } from './schema/payload-schemas';

/*
 * Typed payloads, one interface per shape, each checked at compile time
 * against its JSON Schema in `schema/payload-schemas.ts` (the source of
 * truth; see `schema/schema-types.check.ts`). Payloads are for audit and
 * humans; consumers act on the envelope's `tags`.
 */

/** `principal.created` */
export interface PrincipalCreatedPayload {
  principalId: string;
  displayName?: string;
}

/** `principal.disabled` */
export interface PrincipalDisabledPayload {
  principalId: string;
}

/** `principal.deleted`: the principal's tokens die with it. */
export interface PrincipalDeletedPayload {
  principalId: string;
  tokenIds: string[];
}

/** `group.created` */
export interface GroupCreatedPayload {
  groupId: string;
}

/** `group.deleted`: the members it had when it was deleted. */
export interface GroupDeletedPayload {
  groupId: string;
  members: string[];
}

/** `group.member.added` and `group.member.removed` */
export interface GroupMemberPayload {
  groupId: string;
  principalId: string;
}

/** `role.created` and `role.updated` */
export interface RolePayload {
  roleId: string;
  actions: string[];
}

/** `role.deleted`: the policies that referenced the role are deleted with it. */
export interface RoleDeletedPayload {
  roleId: string;
  policyIds: string[];
}

/** `policy.created` and `policy.updated` (the policy as it is after the change). */
export interface PolicyPayload {
  policyId: string;
  subjects: string[];
  role?: string;
  actions?: string[];
  resources: string[];
  effect: 'allow' | 'deny';
}

/** `policy.deleted` */
export interface PolicyDeletedPayload {
  policyId: string;
}

/** `token.created` (never the secret). */
export interface TokenCreatedPayload {
  tokenId: string;
  principalId: string;
  /** RFC 3339. */
  expiresAt?: string;
}

/** `token.revoked` */
export interface TokenRevokedPayload {
  tokenId: string;
  principalId: string;
}

/** `resource.deleted`: answers about the resource and everything under it. */
export interface ResourceDeletedPayload {
  resource: string;
}

export { FLUSH_SCOPES };
export type FlushScope = (typeof FLUSH_SCOPES)[number];

/**
 * `cache.flush` (break-glass). `all` drops every entry everywhere; `tenant`
 * drops what caches serving that tenant hold; `partition` drops one identity
 * partition; `principal` drops everything tagged with the principal. The
 * field named after the scope is required for the last three.
 */
export interface CacheFlushPayload {
  scope: FlushScope;
  tenant?: string;
  partition?: number;
  principal?: string;
  reason?: string;
}

/** The payload of every known event type. */
export interface EventPayloads {
  'principal.created': PrincipalCreatedPayload;
  'principal.disabled': PrincipalDisabledPayload;
  'principal.deleted': PrincipalDeletedPayload;
  'group.created': GroupCreatedPayload;
  'group.deleted': GroupDeletedPayload;
  'group.member.added': GroupMemberPayload;
  'group.member.removed': GroupMemberPayload;
  'role.created': RolePayload;
  'role.updated': RolePayload;
  'role.deleted': RoleDeletedPayload;
  'policy.created': PolicyPayload;
  'policy.updated': PolicyPayload;
  'policy.deleted': PolicyDeletedPayload;
  'token.created': TokenCreatedPayload;
  'token.revoked': TokenRevokedPayload;
  'resource.deleted': ResourceDeletedPayload;
  'cache.flush': CacheFlushPayload;
}
