import { Logger } from '@nestjs/common';
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { natsAccessOptions } from '@iam/contracts';
import { AuthorityConfig } from '../config/authority-config';

/** nats.js options for the authority's connections (relay and RPC server share them). */
export function natsConnectionOptions(config: AuthorityConfig, name: string): ConnectionOptions {
  return {
    servers: config.natsServers,
    name,
    // Never give up: the outbox holds events until NATS is back.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    pingInterval: 10_000,
    ...natsAccessOptions(config.natsAuth, config.natsSecurity),
  };
}

/**
 * One NATS connection that survives NATS being down at start: the first
 * attempt is awaited (it fails fast when nothing listens), later attempts
 * run in the background with backoff until they succeed or {@link close}.
 * Once connected, nats.js reconnects by itself forever.
 */
export class NatsConnector {
  private readonly logger = new Logger('NatsConnector');
  private nc: NatsConnection | null = null;
  private closed = false;
  private loop: Promise<void> | null = null;
  private readonly listeners: Array<(nc: NatsConnection) => void> = [];
  private connected = false;

  constructor(private readonly options: ConnectionOptions) {}

  /** The connection, once established (null before). */
  get connection(): NatsConnection | null {
    return this.nc;
  }

  /** Whether the connection is up right now. */
  get isConnected(): boolean {
    return this.nc !== null && this.connected && !this.nc.isClosed();
  }

  /**
   * Called with the connection when it is established, for an already
   * established one, and again after every reconnect: whatever waited for
   * NATS (the relay's backlog, its stream provisioning) must run again then,
   * since a restarted server may have lost the stream.
   */
  onConnect(listener: (nc: NatsConnection) => void): void {
    this.listeners.push(listener);
    if (this.nc) listener(this.nc);
  }

  /** Tries once; on failure keeps trying in the background. Resolves whether connected or not. */
  async start(): Promise<boolean> {
    if (await this.attempt(true)) return true;
    this.loop = this.retry();
    return false;
  }

  /** Stops retrying and drains nothing: closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loop?.catch(() => undefined);
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
  }

  private async retry(): Promise<void> {
    let delay = 250;
    while (!this.closed) {
      await new Promise((resolveDelay) => setTimeout(resolveDelay, delay).unref());
      if (this.closed) return;
      if (await this.attempt(false)) return;
      delay = Math.min(delay * 2, 5000);
    }
  }

  private async attempt(first: boolean): Promise<boolean> {
    try {
      const nc = await connect({ ...this.options, waitOnFirstConnect: false, timeout: 5000 });
      if (this.closed) {
        await nc.close().catch(() => undefined);
        return true;
      }
      this.nc = nc;
      this.connected = true;
      void this.watch(nc);
      this.logger.log(`connected to NATS at ${nc.getServer()}`);
      this.notify(nc);
      return true;
    } catch (error) {
      if (first) this.logger.warn(`NATS is not reachable (${(error as Error).message}); retrying in the background, mutations keep working`);
      return false;
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.logger.warn('disconnected from NATS; reconnecting');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger.log(`reconnected to NATS at ${status.server}`);
        this.notify(nc);
      }
    }
  }

  private notify(nc: NatsConnection): void {
    for (const listener of this.listeners) {
      try {
        listener(nc);
      } catch (error) {
        this.logger.warn(`a NATS connect listener failed: ${(error as Error).message}`);
      }
    }
  }
}
