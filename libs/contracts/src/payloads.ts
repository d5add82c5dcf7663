import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

/*
 * Typed payloads, one class per shape. Payloads are for audit and humans;
 * consumers act on the envelope's `tags`.
 */

const ID_MAX = 256;
const LIST_MAX = 10_000;

/** `principal.created` */
export class PrincipalCreatedPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) principalId!: string;
  @IsOptional() @IsString() @MaxLength(ID_MAX) displayName?: string;
}

/** `principal.disabled` */
export class PrincipalDisabledPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) principalId!: string;
}

/** `principal.deleted`: the principal's tokens die with it. */
export class PrincipalDeletedPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) principalId!: string;
  @IsArray() @ArrayMaxSize(LIST_MAX) @IsString({ each: true }) tokenIds!: string[];
}

/** `group.created` */
export class GroupCreatedPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) groupId!: string;
}

/** `group.deleted`: the members it had when it was deleted. */
export class GroupDeletedPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) groupId!: string;
  @IsArray() @ArrayMaxSize(LIST_MAX) @IsString({ each: true }) members!: string[];
}

/** `group.member.added` and `group.member.removed` */
export class GroupMemberPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) groupId!: string;
  @IsString() @MinLength(1) @MaxLength(ID_MAX) principalId!: string;
}

/** `role.created` and `role.updated` */
export class RolePayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) roleId!: string;
  @IsArray() @ArrayMaxSize(LIST_MAX) @IsString({ each: true }) actions!: string[];
}

/** `role.deleted`: the policies that referenced the role are deleted with it. */
export class RoleDeletedPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) roleId!: string;
  @IsArray() @ArrayMaxSize(LIST_MAX) @IsString({ each: true }) policyIds!: string[];
}

/** `policy.created` and `policy.updated` (the policy as it is after the change). */
export class PolicyPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) policyId!: string;
  @IsArray() @ArrayMaxSize(LIST_MAX) @IsString({ each: true }) subjects!: string[];
  @IsOptional() @IsString() role?: string;
  @IsOptional() @IsArray() @IsString({ each: true }) actions?: string[];
  @IsArray() @ArrayMaxSize(LIST_MAX) @IsString({ each: true }) resources!: string[];
  @IsIn(['allow', 'deny']) effect!: 'allow' | 'deny';
}

/** `policy.deleted` */
export class PolicyDeletedPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) policyId!: string;
}

/** `token.created` (never the secret). */
export class TokenCreatedPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) tokenId!: string;
  @IsString() @MinLength(1) @MaxLength(ID_MAX) principalId!: string;
  @IsOptional() @IsISO8601() expiresAt?: string;
}

/** `token.revoked` */
export class TokenRevokedPayload {
  @IsString() @MinLength(1) @MaxLength(ID_MAX) tokenId!: string;
  @IsString() @MinLength(1) @MaxLength(ID_MAX) principalId!: string;
}

/** `resource.deleted`: answers about the resource and everything under it. */
export class ResourceDeletedPayload {
  @IsString() @MinLength(1) @MaxLength(1024) resource!: string;
}

/** Scopes of a `cache.flush`. */
export const FLUSH_SCOPES = ['all', 'tenant', 'partition', 'principal'] as const;
export type FlushScope = (typeof FLUSH_SCOPES)[number];

/**
 * `cache.flush` (break-glass). `all` drops every entry everywhere; `tenant`
 * drops what caches serving that tenant hold; `partition` drops one identity
 * partition; `principal` drops everything tagged with the principal.
 */
export class CacheFlushPayload {
  @IsIn(FLUSH_SCOPES as unknown as string[]) scope!: FlushScope;
  @ValidateIf((o: CacheFlushPayload) => o.scope === 'tenant') @IsString() @MinLength(1) tenant?: string;
  @ValidateIf((o: CacheFlushPayload) => o.scope === 'partition') @IsInt() @Min(0) partition?: number;
  @ValidateIf((o: CacheFlushPayload) => o.scope === 'principal') @IsString() @MinLength(1) principal?: string;
  @IsOptional() @IsString() @MaxLength(1024) reason?: string;
}
