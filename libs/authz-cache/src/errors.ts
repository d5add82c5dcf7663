/*
 * Typed errors of the cache module. Each has a stable `code`; messages never
 * contain a token or any other secret.
 */

/** Stable codes of the module's errors. */
export type AuthzErrorCode =
  | 'AUTHZ_CONFIG_INVALID'
  | 'AUTHORITY_UNAVAILABLE'
  | 'REVISION_NOT_REACHED'
  | 'AUTHORITY_REJECTED'
  | 'AUTHZ_UNAVAILABLE'
  | 'INVALID_REQUEST'
  | 'NOT_LIVE'
  | 'RATE_LIMITED';

/** Base class: every error of this module has a stable code. */
export abstract class AuthzError extends Error {
  abstract readonly code: AuthzErrorCode;
}

/** Invalid module options or environment: names the option (or variable) and the accepted values. */
export class AuthzConfigError extends AuthzError {
  override readonly name = 'AuthzConfigError';
  readonly code = 'AUTHZ_CONFIG_INVALID';
  constructor(
    /** The option path (`softTtlMs`) or environment variable (`AUTHZ_SOFT_TTL_MS`). */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** The authority could not be reached or did not answer in time (network, timeout, no responders, 5xx). */
export class AuthorityUnavailableError extends AuthzError {
  override readonly name = 'AuthorityUnavailableError';
  readonly code = 'AUTHORITY_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** This instance's budget of authority calls (identity resolutions per second) is spent: answered 429, not sent. */
export class AuthorityRateLimitedError extends AuthzError {
  override readonly name = 'AuthorityRateLimitedError';
  readonly code = 'RATE_LIMITED';
  constructor() {
    super('too many identity resolutions sent to the authority; try again shortly');
  }
}

/** The authority has not reached the asked revision yet (`atLeastRevision` > its current revision). */
export class RevisionNotReachedError extends AuthzError {
  override readonly name = 'RevisionNotReachedError';
  readonly code = 'REVISION_NOT_REACHED';
  constructor(
    readonly wanted: number,
    /** The authority's current revision, when it said. */
    readonly current: number | undefined,
  ) {
    super(`the authority is at revision ${current ?? 'unknown'}, not yet at ${wanted}`);
  }
}

/**
 * The authority refused the request (e.g. UNAUTHENTICATED: a wrong service
 * token, INVALID_REQUEST). Not retried; the guard answers 503 because the
 * caller cannot be verified.
 */
export class AuthorityRejectedError extends AuthzError {
  override readonly name = 'AuthorityRejectedError';
  readonly code = 'AUTHORITY_REJECTED';
  constructor(
    /** The authority's error code (`UNAUTHENTICATED`, `INVALID_REQUEST`, ...). */
    readonly authorityCode: string,
    message: string,
  ) {
    super(message);
  }
}

/** A request to the module (replay range, rebuild options) that is not valid; names the field. */
export class AuthzRequestError extends AuthzError {
  override readonly name = 'AuthzRequestError';
  readonly code = 'INVALID_REQUEST';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** An operation that needs the subscription (replay) or the cache (rebuild) while it is not there. */
export class AuthzNotLiveError extends AuthzError {
  override readonly name = 'AuthzNotLiveError';
  readonly code = 'NOT_LIVE';
}
