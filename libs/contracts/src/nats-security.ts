import { existsSync, readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from '@nats-io/nats-core';

/*
 * The NATS client options every client of this project (authority, cache
 * module, iamctl) takes for its own user's credentials, inbox and TLS, in
 * one place: the env names, their validation, and how they become nats.js
 * options. Each client keeps only its own reconnect policy (services retry
 * forever, the CLI fails fast).
 */

/** A NATS user's credentials: user and password (NATS_USER/NATS_PASS) and/or a `.creds` file (NATS_CREDS). */
export interface NatsCredentials {
  user?: string;
  pass?: string;
  credsFile?: string;
}

/** The inbox prefix and TLS files of a NATS client. */
export interface NatsSecurityOptions {
  /** NATS_INBOX_PREFIX, e.g. `_INBOX_turing`: auth.conf lets each user subscribe only under its own. */
  inboxPrefix?: string;
  /** NATS_TLS_CA / NATS_TLS_CERT / NATS_TLS_KEY: PEM files; any one turns TLS on. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** A bad NATS security variable; the message names it and never contains a secret. */
export class NatsSecurityConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'NatsSecurityConfigError';
  }
}

const INBOX_PREFIX = /^_INBOX[A-Za-z0-9_-]*$/;

/** Reads NATS_INBOX_PREFIX and NATS_TLS_{CA,CERT,KEY}; throws {@link NatsSecurityConfigError} naming the variable. */
export function natsSecurityFromEnv(env: Record<string, string | undefined>): NatsSecurityOptions {
  const result: NatsSecurityOptions = {};
  const inboxPrefix = env.NATS_INBOX_PREFIX?.trim();
  if (inboxPrefix) {
    if (!INBOX_PREFIX.test(inboxPrefix)) throw new NatsSecurityConfigError('NATS_INBOX_PREFIX', 'NATS_INBOX_PREFIX must look like _INBOX_<user> (letters, digits, _ and -)');
    result.inboxPrefix = inboxPrefix;
  }
  const tls: NonNullable<NatsSecurityOptions['tls']> = {};
  for (const [name, key] of [
    ['NATS_TLS_CA', 'caFile'],
    ['NATS_TLS_CERT', 'certFile'],
    ['NATS_TLS_KEY', 'keyFile'],
  ] as const) {
    const path = env[name]?.trim();
    if (!path) continue;
    if (!existsSync(path)) throw new NatsSecurityConfigError(name, `${name}: file '${path}' does not exist; expected a PEM file`);
    tls[key] = path;
  }
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new NatsSecurityConfigError(tls.certFile === undefined ? 'NATS_TLS_CERT' : 'NATS_TLS_KEY', 'NATS_TLS_CERT and NATS_TLS_KEY must be set together');
  }
  if (Object.keys(tls).length > 0) result.tls = tls;
  return result;
}

/** The nats.js options for {@link NatsSecurityOptions} (merge them into a `connect()` call). */
export function natsSecurityConnectionOptions(options: NatsSecurityOptions | undefined): Partial<ConnectionOptions> {
  const result: Partial<ConnectionOptions> = {};
  if (options?.inboxPrefix) result.inboxPrefix = options.inboxPrefix;
  const tls = options?.tls;
  if (tls && (tls.caFile || tls.certFile || tls.keyFile)) {
    // nats.js (node) reads the files itself; the ca also verifies the server's certificate.
    result.tls = {
      ...(tls.caFile ? { caFile: tls.caFile } : {}),
      ...(tls.certFile ? { certFile: tls.certFile } : {}),
      ...(tls.keyFile ? { keyFile: tls.keyFile } : {}),
    };
  }
  return result;
}

/**
 * The nats.js options for a user's credentials plus {@link NatsSecurityOptions}:
 * what every client of this project merges into its `connect()` call. A
 * `.creds` file is read here, once, when the options are built.
 */
export function natsAccessOptions(credentials: NatsCredentials | null | undefined, security: NatsSecurityOptions | undefined): Partial<ConnectionOptions> {
  const result: Partial<ConnectionOptions> = natsSecurityConnectionOptions(security);
  if (credentials?.user !== undefined && credentials.user !== '') {
    result.user = credentials.user;
    result.pass = credentials.pass;
  }
  if (credentials?.credsFile) result.authenticator = credsAuthenticator(readFileSync(credentials.credsFile));
  return result;
}
