import type { Msg, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { RPC_SUBJECTS } from '@iam/contracts';

/**
 * Watches the authority's check RPC on the wire, independently of the code
 * under test: a plain (non-queue) subscription sees every request, a
 * subscription on `_INBOX.>` sees every reply. Requests in flight are
 * counted per requesting connection (the reply inbox prefix), so "at most N
 * concurrent calls reached the authority" is measured, not reported.
 */
export class RpcSpy {
  private readonly pending = new Map<string, string>();
  private readonly inFlight = new Map<string, number>();
  readonly maxInFlightByConnection = new Map<string, number>();
  maxInFlightTotal = 0;
  requests = 0;

  private constructor(private readonly nc: NatsConnection) {}

  /** Watches `subjects` (default: the check RPC). */
  static async start(url: string, subjects: string[] = [RPC_SUBJECTS.check]): Promise<RpcSpy> {
    const nc = await connect({ servers: url, name: 'e2e-rpc-spy' });
    const spy = new RpcSpy(nc);
    for (const subject of subjects) {
      nc.subscribe(subject, {
        callback: (_error: Error | null, message: Msg) => {
          if (message.reply) spy.onRequest(message.reply);
        },
      });
    }
    nc.subscribe('_INBOX.>', {
      callback: (_error: Error | null, message: Msg) => {
        spy.onReply(message.subject);
      },
    });
    await nc.flush();
    return spy;
  }

  private onRequest(reply: string): void {
    const connection = reply.slice(0, reply.lastIndexOf('.'));
    this.requests++;
    this.pending.set(reply, connection);
    const now = (this.inFlight.get(connection) ?? 0) + 1;
    this.inFlight.set(connection, now);
    this.maxInFlightByConnection.set(connection, Math.max(now, this.maxInFlightByConnection.get(connection) ?? 0));
    this.maxInFlightTotal = Math.max(this.maxInFlightTotal, [...this.inFlight.values()].reduce((a, b) => a + b, 0));
  }

  private onReply(subject: string): void {
    const connection = this.pending.get(subject);
    if (connection === undefined) return;
    this.pending.delete(subject);
    this.inFlight.set(connection, (this.inFlight.get(connection) ?? 1) - 1);
  }

  /** Forgets what was seen so far. */
  reset(): void {
    this.pending.clear();
    this.inFlight.clear();
    this.maxInFlightByConnection.clear();
    this.maxInFlightTotal = 0;
    this.requests = 0;
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
