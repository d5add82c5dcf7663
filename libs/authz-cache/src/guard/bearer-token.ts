/** The shape of a token minted by the authority: `iam_<16 hex tokenId>_<43 base64url>`. */
export const API_TOKEN_PATTERN = /^iam_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;

// Bearer parsing and constant-time comparison live in one place (@iam/contracts secrets).
export { bearerToken, secretsEqual } from '@iam/contracts';
