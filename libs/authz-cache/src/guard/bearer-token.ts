import { createHash, timingSafeEqual } from 'node:crypto';

/** The shape of a token minted by the authority: `iam_<16 hex tokenId>_<43 base64url>`. */
export const API_TOKEN_PATTERN = /^iam_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

/** Constant-time comparison of two secrets (digests first, so lengths do not leak). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
