import { createHash, timingSafeEqual } from 'node:crypto';

/*
 * The one home of the project's secret handling rules (docs/architecture.md#security):
 * constant-time comparison, bearer parsing, the shape and minimum length of a
 * configured token, and what dev mode allows. Every app and library imports
 * these; none re-implements them.
 */

/** Shortest configured secret accepted outside dev mode. */
export const MIN_SECRET_LENGTH = 32;

/** The environment variable that turns dev mode on (`IAM_DEV_MODE=1`: `npm start`, the demo, the tests). */
export const DEV_MODE_ENV = 'IAM_DEV_MODE';

const SECRET_SHAPE = /^[\x21-\x7e]+$/;

/** Whether `IAM_DEV_MODE=1` (generated/dev defaults allowed, with a warning). */
export function isDevMode(env: Record<string, string | undefined>): boolean {
  const raw = env[DEV_MODE_ENV]?.trim().toLowerCase();
  return raw === '1' || raw === 'true' || raw === 'yes';
}

/**
 * Constant-time comparison of two secrets: both are hashed first, so neither
 * the content nor the length of the expected one leaks through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  return digestsEqual(secretDigest(given), secretDigest(expected));
}

/**
 * The SHA-256 digest {@link secretsEqual} compares. A hot path that checks a
 * presented secret against configured ones hashes each configured secret
 * once, at start-up, and the presented one once per request, then compares
 * with {@link digestsEqual}: the same constant-time comparison, fewer hashes.
 */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Constant-time equality of two {@link secretDigest}s. */
export function digestsEqual(given: Buffer, expected: Buffer): boolean {
  return timingSafeEqual(given, expected);
}

/**
 * Constant-time equality of two strings of a length that is no secret (API
 * tokens have a fixed shape), without hashing: for a hot path that compares
 * a presented token with one presented before. Strings of different lengths
 * are unequal at once; equal lengths are compared in full, whatever differs.
 */
export function fixedLengthSecretsEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined (missing, other scheme, spaces). */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
}

/** Why a configured secret was refused; the message never contains the value. */
export class SecretConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'SecretConfigError';
  }
}

/** Result of {@link configuredSecret}: the secret, and a warning to log when a dev default was used. */
export interface ConfiguredSecret {
  value: string;
  warning?: string;
}

/**
 * Validates one secret variable. Outside dev mode a missing value, or one
 * shorter than {@link MIN_SECRET_LENGTH} printable ASCII characters, throws
 * {@link SecretConfigError} naming the variable. In dev mode a missing value
 * becomes `devDefault` (with a warning), and short values are accepted.
 */
export function configuredSecret(env: Record<string, string | undefined>, name: string, devDefault: string): ConfiguredSecret {
  const raw = env[name]?.trim();
  const dev = isDevMode(env);
  if (raw === undefined || raw === '') {
    if (!dev) throw new SecretConfigError(name, `${name} must be set (at least ${MIN_SECRET_LENGTH} printable characters); set ${DEV_MODE_ENV}=1 for development defaults`);
    return { value: devDefault, warning: `${name} is not set: using the development default (${DEV_MODE_ENV}=1; never in production)` };
  }
  checkSecretShape(name, raw, dev);
  return { value: raw };
}

/** Throws {@link SecretConfigError} unless `value` is printable ASCII without spaces and, outside dev mode, long enough. */
export function checkSecretShape(name: string, value: string, devMode: boolean): void {
  if (!SECRET_SHAPE.test(value) || value.length > 512) throw new SecretConfigError(name, `${name} must be printable ASCII characters without spaces, at most 512`);
  if (!devMode && value.length < MIN_SECRET_LENGTH) {
    throw new SecretConfigError(name, `${name} is too short: at least ${MIN_SECRET_LENGTH} characters outside ${DEV_MODE_ENV}=1`);
  }
}
