import { HttpException, HttpStatus } from '@nestjs/common';

/** Stable codes of the module's HTTP errors. */
export type AuthzHttpErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'AUTHZ_UNAVAILABLE'
  | 'INVALID_REQUEST'
  | 'NOT_LIVE'
  | 'REVISION_NOT_REACHED'
  | 'RATE_LIMITED'
  | 'INTERNAL';

/** An HTTP error rendered as JSON `{code, message}` (plus `field` for INVALID_REQUEST). */
export function httpError(status: HttpStatus, code: AuthzHttpErrorCode, message: string, field?: string): HttpException {
  return new HttpException(field === undefined ? { code, message } : { code, message, field }, status);
}
