import { createHmac, randomBytes } from 'node:crypto';

/*
 * The operator credential of control requests (`iam.v1.control.*`).
 *
 * Choice: HMAC-SHA256 with a shared operator key (IAM_OPERATOR_KEY), over
 * the subject, the timestamp, a random nonce and the body, carried in NATS
 * headers. Unlike a bearer token, a captured request cannot be re-aimed at
 * another subject or body, stops being valid after the freshness window, and
 * within the window its nonce is remembered, so it cannot be replayed. The
 * key itself never travels over NATS, and any language with HMAC can sign
 * (a Go or Python operator tool).
 */

/** Header carrying the signing time, milliseconds since the epoch (decimal). */
export const OPERATOR_TIMESTAMP_HEADER = 'Iam-Operator-Timestamp';
/** Header carrying a random nonce (16 to 64 characters of [A-Za-z0-9_-]). */
export const OPERATOR_NONCE_HEADER = 'Iam-Operator-Nonce';
/** Header carrying the signature, lower-case hex HMAC-SHA256. */
export const OPERATOR_SIGNATURE_HEADER = 'Iam-Operator-Signature';
/** How far a request's timestamp may be from the verifier's clock, either way. Default 30 s. */
export const OPERATOR_FRESHNESS_MS = 30_000;
/** The operator key both sides use in dev mode (IAM_DEV_MODE=1) when IAM_OPERATOR_KEY is unset. */
export const DEV_OPERATOR_KEY = 'dev-operator-key';
/** The value of `service` that explicitly addresses every service. */
export const ALL_SERVICES = '*';

/** The three header values of a signed control request. */
export interface OperatorCredential {
  timestamp: string;
  nonce: string;
  signature: string;
}

/** The exact bytes that are signed: a version tag, subject, timestamp, nonce and body, newline-separated. */
export function operatorSigningInput(subject: string, timestamp: string, nonce: string, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`iam-control-v1\n${subject}\n${timestamp}\n${nonce}\n`, 'utf8'), Buffer.from(body)]);
}

/** HMAC-SHA256 (hex) of {@link operatorSigningInput} under `key`. */
export function operatorSignature(key: string, subject: string, timestamp: string, nonce: string, body: Uint8Array): string {
  return createHmac('sha256', key).update(operatorSigningInput(subject, timestamp, nonce, body)).digest('hex');
}

/** Signs a control request for `subject` at `nowMs` with a fresh nonce. */
export function signOperatorRequest(key: string, subject: string, body: Uint8Array, nowMs: number = Date.now()): OperatorCredential {
  const timestamp = String(nowMs);
  const nonce = randomBytes(18).toString('base64url');
  return { timestamp, nonce, signature: operatorSignature(key, subject, timestamp, nonce, body) };
}
