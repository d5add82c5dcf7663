import { safeCount } from './json-schema';

/*
 * The authority's read API (`iam.v1.rpc.check`, `iam.v1.rpc.identity.resolve`):
 * requests, results and the reply envelope. The authority also checks the
 * identifier grammar (principal, action, resource) and answers
 * INVALID_REQUEST naming the field.
 */

/** `check` request: may `principal` do `action` on `resource`? */
export const checkRequestSchema = {
  title: 'CheckRequest',
  type: 'object',
  required: ['principal', 'action', 'resource'],
  properties: {
    principal: { description: "`user:<email>` or `sa:<name>`.", type: 'string', minLength: 1, maxLength: 256 },
    action: { description: 'Dot-separated words, e.g. `routers.read`.', type: 'string', minLength: 1, maxLength: 256 },
    resource: { description: '`:`-separated segments, e.g. `projects:42:routers:7`.', type: 'string', minLength: 1, maxLength: 1024 },
    atLeastRevision: { ...safeCount, description: 'Answer only from a state at least this revision (consistency token).' },
  },
} as const;

/** Credential a NATS caller adds to every request (HTTP callers send it as a header instead). */
const serviceToken = { description: "The caller's service token (never logged).", type: 'string', minLength: 1, maxLength: 512 } as const;

/** `check` request as sent on NATS: the request plus the caller's service token. */
export const checkRpcRequestSchema = {
  title: 'CheckRpcRequest',
  type: 'object',
  required: [...checkRequestSchema.required, 'serviceToken'],
  properties: { ...checkRequestSchema.properties, serviceToken },
} as const;

/** `check` answer. */
export const checkResultSchema = {
  title: 'CheckResult',
  type: 'object',
  required: ['allowed', 'revision', 'tags'],
  properties: {
    allowed: { type: 'boolean' },
    revision: { ...safeCount, description: 'The authority revision the answer reflects.' },
    tags: { description: 'Tags the answer depended on (what invalidates it).', type: 'array', items: { type: 'string' } },
  },
} as const;

/** `resolveIdentity` request. */
export const resolveIdentityRequestSchema = {
  title: 'ResolveIdentityRequest',
  type: 'object',
  required: ['token'],
  properties: { token: { description: 'The bearer token to resolve.', type: 'string', minLength: 1, maxLength: 512 } },
} as const;

/** `resolveIdentity` request as sent on NATS: the request plus the caller's service token. */
export const resolveIdentityRpcRequestSchema = {
  title: 'ResolveIdentityRpcRequest',
  type: 'object',
  required: [...resolveIdentityRequestSchema.required, 'serviceToken'],
  properties: { ...resolveIdentityRequestSchema.properties, serviceToken },
} as const;

/** A resolved bearer token. */
export const resolvedIdentitySchema = {
  title: 'ResolvedIdentity',
  type: 'object',
  required: ['principal', 'groups', 'tokenId', 'expiresAt', 'revision', 'tags'],
  properties: {
    principal: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' } },
    tokenId: { type: 'string' },
    expiresAt: { description: 'RFC 3339, or null for a token that does not expire.', anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
    revision: safeCount,
    tags: { type: 'array', items: { type: 'string' } },
  },
} as const;

/** Stable error codes of the authority's read and admin APIs. */
export const AUTHORITY_ERROR_CODES = [
  'INVALID_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'TOKEN_INVALID',
  'REVISION_NOT_REACHED',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL',
] as const;

/** Error body of every authority API (HTTP body, and the NATS reply's `error`). */
export const authorityErrorBodySchema = {
  title: 'AuthorityErrorBody',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { enum: AUTHORITY_ERROR_CODES },
    message: { type: 'string' },
    field: { description: 'The offending field, for INVALID_REQUEST.', type: 'string' },
    revision: { ...safeCount, description: "The authority's current revision, for REVISION_NOT_REACHED." },
  },
} as const;

/** Envelope of a NATS reply around `result`: exactly one of `result` (ok) or `error`. */
export function rpcReplySchema<const Title extends string, const Result extends object>(title: Title, result: Result) {
  return {
    title,
    description: 'Exactly one of `result` (ok: true) or `error` (ok: false).',
    oneOf: [
      { type: 'object', required: ['ok', 'result'], properties: { ok: { const: true }, result } },
      { type: 'object', required: ['ok', 'error'], properties: { ok: { const: false }, error: authorityErrorBodySchema } },
    ],
  } as const;
}

/** Reply to `iam.v1.rpc.check`. */
export const checkReplySchema = rpcReplySchema('CheckReply', checkResultSchema);
/** Reply to `iam.v1.rpc.identity.resolve`. */
export const resolveIdentityReplySchema = rpcReplySchema('ResolveIdentityReply', resolvedIdentitySchema);
