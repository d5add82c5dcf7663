import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { natsAccessOptions, NatsSecurityOptions } from '@iam/contracts';
import { CliError } from '../errors';

/** How iamctl reaches NATS. */
export interface NatsTarget {
  /** One URL or a comma-separated list (cluster). */
  url: string;
  user?: string;
  pass?: string;
  credsFile?: string;
  /** Inbox prefix and TLS files (NATS_INBOX_PREFIX, NATS_TLS_*). */
  security?: NatsSecurityOptions;
  timeoutMs: number;
}

/** Connects (no reconnect loop: a CLI should fail fast); a refusal becomes a {@link CliError} naming the URL. */
export async function connectNats(target: NatsTarget): Promise<NatsConnection> {
  const servers = target.url.split(',').map((s) => s.trim()).filter(Boolean);
  try {
    return await connect({
      servers,
      name: 'iamctl',
      timeout: target.timeoutMs,
      maxReconnectAttempts: 0,
      ...natsAccessOptions(target, target.security),
    });
  } catch (error) {
    // The nats.js message names the failure (refused, auth), never the password.
    throw new CliError(`cannot connect to NATS at ${servers.join(',')}: ${(error as Error).message}`, 1, 'NATS_UNAVAILABLE');
  }
}
