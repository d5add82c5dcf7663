import { Logger } from '@nestjs/common';
import { ServerNats } from '@nestjs/microservices';
import { connect, ConnectionOptions, NatsConnection } from 'nats';

/**
 * Nest's NATS transport, made to survive NATS being down at start: the
 * first connection attempt is awaited (fast when NATS is up, so the RPC
 * subjects are subscribed before `startAuthority` returns); when it fails,
 * the app starts anyway and the server keeps connecting in the background,
 * subscribing once connected. Wire format and queue group are Nest's own.
 */
export class ResilientNatsServer extends ServerNats {
  private readonly log = new Logger('AuthorityRpc');
  private stopped = false;
  private firstAttemptFailed: (() => void) | null = null;

  constructor(private readonly connectOptions: ConnectionOptions & { queue: string }) {
    super(connectOptions);
  }

  override async listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): Promise<void> {
    let called = false;
    const once = (err?: unknown) => {
      if (called) return;
      called = true;
      // Never fail the app's start because NATS is down; the outbox holds the events meanwhile.
      if (err && !this.stopped) this.log.warn(`RPC server not started: ${(err as Error).message}`);
      callback();
    };
    this.firstAttemptFailed = () => once();
    await super.listen((err?: unknown) => {
      if (!err) this.log.log(`answering ${[...this.getHandlers().keys()].join(', ')} (queue ${this.connectOptions.queue})`);
      once(err);
    });
  }

  override async createNatsClient(): Promise<NatsConnection> {
    let delay = 250;
    for (;;) {
      // Closed while NATS was down: stop trying (the app is shutting down).
      if (this.stopped) throw new Error('RPC server closed before NATS was reachable');
      try {
        const nc = await connect({ ...this.connectOptions, waitOnFirstConnect: false, timeout: 5000 });
        if (this.stopped) {
          await nc.close().catch(() => undefined);
          throw new Error('closed');
        }
        return nc;
      } catch (error) {
        if (this.stopped) throw error;
        this.firstAttemptFailed?.();
        this.firstAttemptFailed = null;
        await new Promise((resolveDelay) => setTimeout(resolveDelay, delay).unref());
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  override async close(): Promise<void> {
    this.stopped = true;
    await super.close();
  }
}
