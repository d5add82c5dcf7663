import { AuthorityErrorBody, AuthorityErrorCode } from '@iam/contracts';

/**
 * An error with a stable code that crosses the HTTP and NATS boundaries as
 * an {@link AuthorityErrorBody}. Messages never contain secrets.
 */
export class AuthorityError extends Error {
  override readonly name = 'AuthorityError';
  constructor(
    readonly code: AuthorityErrorCode,
    message: string,
    readonly field?: string,
    readonly revision?: number,
  ) {
    super(message);
  }

  /** The wire form. */
  toBody(): AuthorityErrorBody {
    const body: AuthorityErrorBody = { code: this.code, message: this.message };
    if (this.field !== undefined) body.field = this.field;
    if (this.revision !== undefined) body.revision = this.revision;
    return body;
  }
}

/** 400: `field` is invalid. */
export const invalid = (field: string, message: string): AuthorityError => new AuthorityError('INVALID_REQUEST', message, field);
/** 404: the thing named is not there. */
export const notFound = (what: string, id: string, field?: string): AuthorityError =>
  new AuthorityError('NOT_FOUND', `${what} '${id}' does not exist`, field);
/** 409: it exists already, or the state forbids the change. */
export const conflict = (message: string, field?: string): AuthorityError => new AuthorityError('CONFLICT', message, field);

/** HTTP status of each code. */
export const HTTP_STATUS: Readonly<Record<AuthorityErrorCode, number>> = {
  INVALID_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOKEN_INVALID: 404,
  REVISION_NOT_REACHED: 412,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
};
