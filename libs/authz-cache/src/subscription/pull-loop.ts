import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { PullPlan, type PullWindow } from './pull-plan';

/** One event as delivered by a pull consumer. */
export interface PulledMessage {
  /** Stream sequence. */
  readonly seq: number;
  readonly data: Uint8Array;
  /** Messages left in the consumer after this one, when it was sent. */
  readonly pending: number;
}

export interface PullLoopOptions {
  readonly window: PullWindow;
  /** Lifetime of each pull request. */
  readonly expiresMs: number;
  /** Idle heartbeat asked of the server; two missed in a row call `onHeartbeatsMissed`. Omitted: no heartbeats. */
  readonly idleHeartbeatMs?: number;
}

export interface PullLoopHandlers {
  onMessage(msg: PulledMessage): void;
  /** No message and no sign of the consumer for two heartbeats while connected: the consumer or its node may be gone. Called once. */
  onHeartbeatsMissed?(): void;
}

/**
 * Pulls from one JetStream pull consumer over core NATS, with the requests
 * planned by {@link PullPlan} (it explains why not nats.js `consume()`), and
 * hands each message to `onMessage` in delivery order. Ends, settling
 * {@link ended}, when closed, when the connection closes, or with an error
 * when the server says the consumer or its stream is gone or refuses the
 * pull for good.
 */
export class PullLoop {
  readonly ended: Promise<Error | undefined>;
  private readonly plan: PullPlan;
  private readonly subject: string;
  private readonly inbox: string;
  private readonly sub: Subscription;
  private readonly timer: NodeJS.Timeout;
  private readonly statusIterator: AsyncIterable<{ type: string }> & { stop?: () => void };
  private lastActivity: number;
  private connected = true;
  private done = false;
  private finish!: (error: Error | undefined) => void;

  constructor(
    private readonly nc: NatsConnection,
    stream: string,
    consumer: string,
    private readonly options: PullLoopOptions,
    private readonly handlers: PullLoopHandlers,
  ) {
    this.plan = new PullPlan(options.window, options.expiresMs);
    this.subject = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`;
    const prefix = (nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix;
    this.inbox = createInbox(prefix);
    this.ended = new Promise((resolve) => (this.finish = resolve));
    this.lastActivity = performance.now();
    this.sub = nc.subscribe(this.inbox, {
      callback: (error, msg) => (error ? this.stop(error) : this.receive(msg)),
    });
    // A quarter of the lifetime at most: a refresh goes out while the older pull still has a quarter left.
    const tick = Math.min(options.expiresMs / 4, options.idleHeartbeatMs ?? Number.POSITIVE_INFINITY);
    this.timer = setInterval(() => this.onTick(), tick);
    this.statusIterator = nc.status() as AsyncIterable<{ type: string }> & { stop?: () => void };
    void this.watchConnection();
    nc.closed().then(
      () => this.stop(undefined),
      () => this.stop(undefined),
    );
    this.pullIfDue();
  }

  /** Stops pulling (idempotent); the server drops the outstanding requests when they expire or see no interest. */
  close(): Promise<Error | undefined> {
    this.stop(undefined);
    return this.ended;
  }

  private receive(msg: Msg): void {
    if (this.done) return;
    const reply = msg.reply;
    if (reply !== undefined && reply.startsWith('$JS.ACK.')) {
      this.lastActivity = performance.now();
      const parsed = parseAckReply(reply);
      if (parsed === undefined) {
        this.stop(new Error(`unexpected JetStream reply subject ${reply}`));
        return;
      }
      this.plan.received(this.lastActivity);
      try {
        this.handlers.onMessage({ seq: parsed.seq, data: msg.data, pending: parsed.pending });
      } catch (error) {
        this.stop(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.pullIfDue();
      return;
    }
    this.status(msg.headers?.code ?? 0, msg.headers?.description ?? '');
  }

  /**
   * A status from the server. Only those that show the consumer is there
   * count as a sign of life for the heartbeat check: a 503 (nothing answers
   * on the consumer's subject) repeated on every pull must not keep a
   * vanished consumer looking alive.
   */
  private status(code: number, description: string): void {
    switch (code) {
      case 100: // idle heartbeat
      case 404: // no messages (only for no_wait requests)
      case 408: // a request expired; the plan already stopped counting on it
        this.lastActivity = performance.now();
        return;
      case 409: {
        const text = description.toLowerCase();
        if (text.includes('deleted')) {
          this.stop(new Error(`pull consumer ended: ${description}`));
        } else if (text.startsWith('exceeded maxrequest') || text.includes('push based')) {
          this.stop(new Error(`pull refused: ${description}`));
        } else {
          // Leadership change, too many waiting requests: the server dropped pulls; the next tick sends a new one.
          this.lastActivity = performance.now();
          this.plan.lost();
        }
        return;
      }
      case 503: // no responders: the pull reached no JetStream; retried on the next tick, the heartbeats tell if that lasts
        this.plan.lost();
        return;
      default:
        this.stop(new Error(`pull refused: ${code} ${description}`));
    }
  }

  private onTick(): void {
    if (this.done) return;
    const heartbeat = this.options.idleHeartbeatMs;
    if (heartbeat !== undefined && this.connected && performance.now() - this.lastActivity > 2 * heartbeat) {
      const missed = this.handlers.onHeartbeatsMissed;
      // Reported once; the owner decides (it re-creates the consumer), as nats.js' consume() does.
      this.lastActivity = Number.POSITIVE_INFINITY;
      missed?.call(this.handlers);
      return;
    }
    this.pullIfDue();
  }

  private pullIfDue(): void {
    if (this.done || !this.connected) return;
    const now = performance.now();
    const batch = this.plan.next(now);
    if (batch === 0) return;
    const request: Record<string, number> = { batch, expires: this.options.expiresMs * 1e6 };
    if (this.options.idleHeartbeatMs !== undefined) request.idle_heartbeat = this.options.idleHeartbeatMs * 1e6;
    try {
      this.nc.publish(this.subject, JSON.stringify(request), { reply: this.inbox });
    } catch (error) {
      this.stop(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.plan.sent(now, batch);
  }

  private async watchConnection(): Promise<void> {
    try {
      for await (const status of this.statusIterator) {
        if (this.done) break;
        if (status.type === 'disconnect') {
          this.connected = false;
        } else if (status.type === 'reconnect') {
          // Whatever was outstanding went with the old connection.
          this.connected = true;
          this.lastActivity = performance.now();
          this.plan.lost();
          this.pullIfDue();
        }
      }
    } catch {
      // the status stream ends with the connection
    }
  }

  private stop(error: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.timer);
    this.statusIterator.stop?.();
    if (!this.sub.isClosed()) this.sub.unsubscribe();
    this.finish(error);
  }
}

/**
 * Stream sequence and pending count from a JetStream ack subject:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>`, or
 * with `<domain>.<account hash>` before the stream and an optional random
 * token at the end (11 or 12 tokens). Read from the end, without splitting:
 * it runs once per event.
 */
export function parseAckReply(reply: string): { seq: number; pending: number } | undefined {
  let tokens = 1;
  for (let at = reply.indexOf('.'); at !== -1; at = reply.indexOf('.', at + 1)) tokens += 1;
  if (tokens !== 9 && tokens !== 11 && tokens !== 12) return undefined;
  // Dots from the end: d[0] before the last token, d[1] before the one before it, ...
  const d1 = reply.lastIndexOf('.');
  const d2 = reply.lastIndexOf('.', d1 - 1);
  const d3 = reply.lastIndexOf('.', d2 - 1);
  const d4 = reply.lastIndexOf('.', d3 - 1);
  const d5 = reply.lastIndexOf('.', d4 - 1);
  // ... <sseq>.<dseq>.<ts>.<pending>[.<token>]
  const seq = tokens === 12 ? digits(reply, d5 + 1, d4) : digits(reply, d4 + 1, d3);
  const pending = tokens === 12 ? digits(reply, d2 + 1, d1) : digits(reply, d1 + 1, reply.length);
  if (seq < 1 || pending < 0) return undefined;
  return { seq, pending };
}

/** The decimal number in `text[from, to)`, or -1 if it is empty, not all digits, or unsafe. */
function digits(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}
