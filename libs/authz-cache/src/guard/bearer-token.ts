// The token's shape, bearer parsing and constant-time comparison each live in one place (@iam/contracts).
export { API_TOKEN_PATTERN, bearerToken, secretsEqual } from '@iam/contracts';
