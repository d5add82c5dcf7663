import { createHash, randomBytes } from 'node:crypto';
// Constant-time comparison lives in one place.
import { secretsEqual } from '@iam/contracts';

/*
 * Bearer tokens `iam_<tokenId>_<secret>`: tokenId = 16 hex characters (not
 * secret), secret = 43 characters of base64url (32 random bytes). Only
 * sha256(secret) is stored.
 */

const TOKEN_FORMAT = /^iam_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

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
  return { tokenId, token: `iam_${tokenId}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a bearer token; null when it does not have the shape (nothing about why, on purpose). */
export function parseToken(token: unknown): { tokenId: string; secret: string } | null {
  if (typeof token !== 'string') return null;
  const match = TOKEN_FORMAT.exec(token);
  return match ? { tokenId: match[1], secret: match[2] } : null;
}

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
