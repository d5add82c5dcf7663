/*
 * The authority's read API, shared by the authority (server) and the cache
 * module (client), over NATS request/reply and HTTP alike.
 */

/** `check` request: may `principal` do `action` on `resource`? */
export interface CheckRequest {
  principal: string;
  action: string;
  resource: string;
  /** Answer only from a state at least this revision (consistency token). */
  atLeastRevision?: number;
}

/** `check` answer. */
export interface CheckResult {
  allowed: boolean;
  /** The authority revision the answer reflects. */
  revision: number;
  /** Tags the answer depended on (what invalidates it). */
  tags: string[];
}

/** `resolveIdentity` request. */
export interface ResolveIdentityRequest {
  token: string;
}

/** A resolved bearer token. */
export interface ResolvedIdentity {
  principal: string;
  groups: string[];
  tokenId: string;
  /** ISO-8601, or null for a token that does not expire. */
  expiresAt: string | null;
  revision: number;
  tags: string[];
}

/** Stable error codes of the authority's read and admin APIs. */
export type AuthorityErrorCode =
  | 'INVALID_REQUEST'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOKEN_INVALID'
  | 'REVISION_NOT_REACHED'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL';

/** Error body of every authority API (HTTP body, and the NATS reply's `error`). */
export interface AuthorityErrorBody {
  code: AuthorityErrorCode;
  message: string;
  /** The offending field, for `INVALID_REQUEST`. */
  field?: string;
  /** The authority's current revision, for `REVISION_NOT_REACHED`. */
  revision?: number;
}

/** Envelope of a NATS reply: exactly one of `result` or `error`. */
export type RpcReply<T> = { ok: true; result: T } | { ok: false; error: AuthorityErrorBody };

/** HTTP header carrying a consistency token (an authority revision). */
export const REVISION_HEADER = 'x-iam-revision';
