import type { NatsConnection } from '@nats-io/nats-core';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { createEphemeralConsumer, JS_API_TIMEOUT_MS, PULL_WINDOW } from './ephemeral-consumer';

/**
 * Heartbeat the server sends on an idle pull request. nats.js reports
 * `heartbeats_missed` after two of them are missed, so a consumer whose
 * node died or that was deleted is noticed within ~2 s even with no events.
 */
const IDLE_HEARTBEAT_MS = 1000;
/** Pull request lifetime (must exceed the heartbeat). */
const PULL_EXPIRES_MS = 5000;

/** What a session reports back to its owner. */
export interface SessionHandlers {
  onMessage(msg: JsMsg): void;
  onHeartbeatsMissed(): void;
}

/**
 * One disposable consumer and its pull loop: created from a start sequence,
 * consumed until it ends (deleted, stream gone, server restart, closed by
 * its owner), then removed. The owner re-creates a new one from its own last
 * applied sequence + 1; a session is never revived.
 */
export class ConsumerSession {
  private messages: ConsumerMessages | undefined;
  private closed = false;

  private constructor(
    private readonly remove: () => Promise<void>,
  ) {}

  /**
   * Creates the consumer at `startSequence` (JetStream API requests time out
   * after `apiTimeoutMs`) and starts pulling. Resolves once
   * the first pull request has reached the server (from then on no event is
   * missed), with the session and a promise that settles when it ends.
   */
  static async open(
    nc: NatsConnection,
    startSequence: number,
    namePrefix: string,
    handlers: SessionHandlers,
    apiTimeoutMs = JS_API_TIMEOUT_MS,
  ): Promise<{ session: ConsumerSession; ended: Promise<void> }> {
    const created = await createEphemeralConsumer(nc, { sequence: startSequence }, namePrefix, apiTimeoutMs);
    const session = new ConsumerSession(created.remove);
    try {
      // abort_on_missing_resource: a deleted consumer or stream ends the session at once.
      const messages = await created.consumer.consume({
        ...PULL_WINDOW,
        expires: PULL_EXPIRES_MS,
        idle_heartbeat: IDLE_HEARTBEAT_MS,
        abort_on_missing_resource: true,
        callback: (msg) => {
          if (!session.closed) handlers.onMessage(msg);
        },
      });
      session.messages = messages;
      void session.watch(messages, handlers);
      await nc.flush();
      const ended = messages.closed().then(
        () => session.dispose(),
        () => session.dispose(),
      );
      return { session, ended };
    } catch (error) {
      await session.dispose();
      throw error;
    }
  }

  /** Ends the session (idempotent): stops pulling; the consumer is removed when the loop ends. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.messages?.close().catch(() => undefined);
  }

  private async watch(messages: ConsumerMessages, handlers: SessionHandlers): Promise<void> {
    try {
      for await (const status of messages.status()) {
        if (this.closed) break;
        if (status.type === 'heartbeats_missed') {
          handlers.onHeartbeatsMissed();
          break;
        }
      }
    } catch {
      // the status iterator ends with the consumer
    }
  }

  private async dispose(): Promise<void> {
    this.closed = true;
    await this.remove();
  }
}
