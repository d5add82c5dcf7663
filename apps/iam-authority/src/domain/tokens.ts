import { createHash, randomBytes } from 'node:crypto';
// The token's shape and constant-time comparison each live in one place.
import { formatApiToken, parseApiToken, secretsEqual } from '@iam/contracts';

/*
 * Bearer tokens `iam_<tokenId>_<secret>` (shape: @iam/contracts api-token).
 * Only sha256(secret) is stored.
 */

/** A freshly minted token; `token` is shown once and never stored. */
export interface MintedToken {
  tokenId: string;
  token: string;
  secretHash: string;
}

/** Mints a token. */
export function mintToken(): MintedToken {
  const tokenId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { tokenId, token: formatApiToken(tokenId, secret), secretHash: hashSecret(secret) };
}

/** Splits a bearer token; null when it does not have the shape (nothing about why, on purpose). */
export const parseToken = parseApiToken;

/** sha256 hex of a secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  return secretsEqual(hashSecret(secret), storedHash);
}

/** Constant-time equality of two strings (configured bearer tokens). */
export function constantTimeEquals(a: string, b: string): boolean {
  return secretsEqual(a, b);
}
