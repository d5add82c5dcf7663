import { Logger } from '@nestjs/common';
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { natsAccessOptions } from '@iam/contracts';
import type { ResolvedAuthzOptions } from '../config/authz-cache.options';

const DRAIN_TIMEOUT_MS = 2000;

/** Connection state changes the subscriber reacts to. */
export type ConnectionEvent = 'connected' | 'disconnected' | 'reconnected' | 'closed';

/**
 * The module's own NATS connection (events, authority RPC, control
 * requests), separate from any connection the app has. It reconnects
 * forever (`maxReconnectAttempts: -1`) and never blocks start-up: the app
 * starts while NATS is down, reports not-live on /health, and catches up
 * when NATS arrives.
 */
export class AuthzNatsConnection {
  private readonly logger = new Logger('AuthzNatsConnection');
  private nc: NatsConnection | undefined;
  private connecting: Promise<NatsConnection> | undefined;
  private closing = false;
  private readonly listeners = new Set<(event: ConnectionEvent) => void>();

  constructor(
    private readonly options: ResolvedAuthzOptions,
    private readonly instanceId: string,
  ) {}

  /** The open connection, or undefined before the first connect / after close. */
  get current(): NatsConnection | undefined {
    return this.nc && !this.nc.isClosed() ? this.nc : undefined;
  }

  /** Whether the connection is open and not currently disconnected. */
  get connected(): boolean {
    return this.current !== undefined && !this.disconnected;
  }

  private disconnected = false;

  /** Subscribe to connection state changes; returns an unsubscribe function. */
  onEvent(listener: (event: ConnectionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects (once); resolves when connected. Retries the first connect forever until {@link close}. */
  start(): Promise<NatsConnection> {
    this.connecting ??= this.connectLoop();
    return this.connecting;
  }

  private connectionOptions(): ConnectionOptions {
    const { nats, serviceName } = this.options;
    return {
      servers: nats.servers,
      name: `authz-cache:${serviceName}:${this.instanceId}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Stale-connection detection bounds how long a silently dead server goes unnoticed.
      pingInterval: 10_000,
      maxPingOut: 2,
      ...natsAccessOptions(nats, nats),
    };
  }

  private async connectLoop(): Promise<NatsConnection> {
    let attempt = 0;
    for (;;) {
      if (this.closing) throw new Error('the authz NATS connection was closed before it connected');
      try {
        const nc = await connect(this.connectionOptions());
        if (this.closing) {
          // close() ran while this connect was in flight: do not leak the connection.
          await nc.close().catch(() => undefined);
          throw new Error('the authz NATS connection was closed before it connected');
        }
        this.nc = nc;
        this.disconnected = false;
        this.watch(nc);
        this.logger.log(`connected to NATS ${nc.getServer()}`);
        this.emit('connected');
        return nc;
      } catch (error) {
        if (this.closing) throw error;
        attempt += 1;
        // Log the first failure and then every 20th, not one line per 250 ms.
        if (attempt === 1 || attempt % 20 === 0) {
          this.logger.warn(`cannot connect to NATS (${(error as Error).message}); retrying (attempt ${attempt})`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2000)).unref());
      }
    }
  }

  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') {
          this.disconnected = true;
          this.logger.warn('disconnected from NATS; reconnecting');
          this.emit('disconnected');
        } else if (status.type === 'reconnect') {
          this.disconnected = false;
          this.logger.log(`reconnected to NATS ${status.server}`);
          this.emit('reconnected');
        }
      }
    })().catch(() => undefined);
    void nc.closed().then(() => {
      this.disconnected = true;
      this.emit('closed');
    });
  }

  private emit(event: ConnectionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error(`connection listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** Drains and closes the connection (stops a pending first connect). */
  async close(): Promise<void> {
    this.closing = true;
    const nc = this.nc;
    this.nc = undefined;
    if (!nc || nc.isClosed()) return;
    // Drain needs the server: while disconnected (or if it takes too long) just close, so shutdown never hangs.
    if (this.disconnected) {
      await nc.close().catch(() => undefined);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
    });
    await Promise.race([nc.drain().catch(() => undefined), timeout]);
    clearTimeout(timer);
    if (!nc.isClosed()) await nc.close().catch(() => undefined);
  }
}
