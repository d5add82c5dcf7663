import type { NatsConnection } from '@nats-io/nats-core';
import { DEV_OPERATOR_KEY, isDevMode, NatsSecurityConfigError, natsSecurityFromEnv, NatsSecurityOptions } from '@iam/contracts';
import { AuthorityAdminClient } from './clients/authority-admin-client';
import { connectNats } from './clients/nats-connection';
import { parsePositiveInt } from './duration';
import { CliError, UsageError } from './errors';

/** Where iamctl writes, and what it reads from its environment (injectable for tests). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Draw progress bars only on a terminal. */
  errIsTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}

/** Global options after flags and environment are merged. */
export interface GlobalOptions {
  natsUrl: string;
  natsUser?: string;
  natsPass?: string;
  natsCreds?: string;
  /** Inbox prefix and TLS files (NATS_INBOX_PREFIX, NATS_TLS_CA/CERT/KEY). */
  natsSecurity: NatsSecurityOptions;
  /** Key control requests are signed with (IAM_OPERATOR_KEY; the dev key with IAM_DEV_MODE=1). */
  operatorKey?: string;
  authorityUrl: string;
  adminToken: string;
  /** Whether the admin token is the development default (warned about on use). */
  adminTokenIsDefault: boolean;
  json: boolean;
  timeoutMs: number;
}

/** Raw global flags as commander parses them. */
export interface RawGlobalFlags {
  nats?: string;
  natsUser?: string;
  authority?: string;
  adminToken?: string;
  json?: boolean;
  timeout?: string;
}

const DEFAULT_ADMIN_TOKEN = 'dev-admin-token';

/** Flags win over the environment, which wins over the defaults. */
export function resolveGlobalOptions(flags: RawGlobalFlags, env: NodeJS.ProcessEnv): GlobalOptions {
  const adminToken = flags.adminToken ?? env.IAM_ADMIN_TOKEN;
  let natsSecurity: NatsSecurityOptions;
  try {
    natsSecurity = natsSecurityFromEnv(env);
  } catch (error) {
    if (error instanceof NatsSecurityConfigError) throw new UsageError(error.message);
    throw error;
  }
  const operatorKey = env.IAM_OPERATOR_KEY?.trim() || (isDevMode(env) ? DEV_OPERATOR_KEY : undefined);
  return {
    natsSecurity,
    ...(operatorKey ? { operatorKey } : {}),
    natsUrl: flags.nats ?? env.NATS_URL ?? 'nats://127.0.0.1:4222',
    natsUser: flags.natsUser ?? env.NATS_USER,
    natsPass: env.NATS_PASS,
    natsCreds: env.NATS_CREDS,
    authorityUrl: flags.authority ?? env.AUTHORITY_URL ?? 'http://127.0.0.1:3000',
    adminToken: adminToken ?? DEFAULT_ADMIN_TOKEN,
    adminTokenIsDefault: adminToken === undefined,
    json: Boolean(flags.json),
    timeoutMs: flags.timeout === undefined ? 10_000 : parsePositiveInt('--timeout', flags.timeout),
  };
}

/** What a command runs with: options, output, and lazily opened connections. */
export class CliContext {
  private natsConnection?: Promise<NatsConnection>;
  private warnedDefaultToken = false;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {}

  /** The NATS connection (opened on first use, closed by {@link close}). */
  nats(): Promise<NatsConnection> {
    this.natsConnection ??= connectNats({
      url: this.options.natsUrl,
      user: this.options.natsUser,
      pass: this.options.natsPass,
      credsFile: this.options.natsCreds,
      security: this.options.natsSecurity,
      timeoutMs: this.options.timeoutMs,
    });
    return this.natsConnection;
  }

  /** The operator key control requests are signed with; a CliError when none is configured. */
  operatorKey(): string {
    if (this.options.operatorKey === undefined) {
      throw new CliError('IAM_OPERATOR_KEY is not set: services refuse unsigned control requests (IAM_DEV_MODE=1 uses the development key)', 1, 'NO_OPERATOR_KEY');
    }
    return this.options.operatorKey;
  }

  /** The authority's admin API with the admin token. */
  authority(): AuthorityAdminClient {
    if (this.options.adminTokenIsDefault && !this.warnedDefaultToken) {
      this.warnedDefaultToken = true;
      this.io.err(`warning: IAM_ADMIN_TOKEN is not set, using the development default token\n`);
    }
    return new AuthorityAdminClient(this.options.authorityUrl, this.options.adminToken, this.options.timeoutMs);
  }

  /** Prints the human text, or the JSON value with `--json`. */
  print(human: string, json: unknown): void {
    this.io.out(this.options.json ? `${JSON.stringify(json, null, 2)}\n` : human);
  }

  async close(): Promise<void> {
    if (!this.natsConnection) return;
    try {
      const nc = await this.natsConnection;
      await nc.close();
    } catch {
      // Never connected: nothing to close.
    }
  }
}
