/*
 * The one definition of an API token's shape: `iam_<tokenId>_<secret>`,
 * tokenId = 16 hex characters (not secret), secret = 43 characters of
 * base64url (32 random bytes). The authority mints and parses it; the cache
 * module's guard refuses anything else before any authority call.
 */

/** `iam_<16 hex tokenId>_<43 base64url secret>`; groups 1 and 2 are the id and the secret. */
export const API_TOKEN_PATTERN = /^iam_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** Formats a token from its id and secret. */
export function formatApiToken(tokenId: string, secret: string): string {
  return `iam_${tokenId}_${secret}`;
}

/** Splits a bearer token; null when it does not have the shape (nothing about why, on purpose). */
export function parseApiToken(token: unknown): { tokenId: string; secret: string } | null {
  if (typeof token !== 'string') return null;
  const match = API_TOKEN_PATTERN.exec(token);
  return match ? { tokenId: match[1], secret: match[2] } : null;
}
