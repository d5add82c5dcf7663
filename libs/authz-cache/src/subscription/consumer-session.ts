import type { NatsConnection } from '@nats-io/nats-core';
import { IAM_EVENTS_STREAM } from '@iam/contracts';
import { createEphemeralConsumer, JS_API_TIMEOUT_MS, PULL_WINDOW } from './ephemeral-consumer';
import { PullLoop, type PulledMessage } from './pull-loop';

/**
 * Heartbeat the server sends on an idle pull request. Two missed in a row
 * end the session, so a consumer whose node died or that was deleted is
 * noticed within ~2-3 s even with no events.
 */
const IDLE_HEARTBEAT_MS = 1000;
/** Pull request lifetime (must exceed the heartbeat). */
const PULL_EXPIRES_MS = 5000;

/** What a session reports back to its owner. */
export interface SessionHandlers {
  onMessage(msg: PulledMessage): void;
  onHeartbeatsMissed(): void;
}

/**
 * One disposable consumer and its pull loop: created from a start sequence,
 * consumed until it ends (deleted, stream gone, server restart, closed by
 * its owner), then removed. The owner re-creates a new one from its own last
 * applied sequence + 1; a session is never revived.
 */
export class ConsumerSession {
  private loop: PullLoop | undefined;
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
      // A deleted consumer or stream ends the loop at once (the server says so); a silent one, after two missed heartbeats.
      const loop = new PullLoop(
        nc,
        IAM_EVENTS_STREAM,
        created.name,
        { window: PULL_WINDOW, expiresMs: PULL_EXPIRES_MS, idleHeartbeatMs: IDLE_HEARTBEAT_MS },
        {
          onMessage: (msg) => {
            if (!session.closed) handlers.onMessage(msg);
          },
          onHeartbeatsMissed: () => {
            if (!session.closed) handlers.onHeartbeatsMissed();
          },
        },
      );
      session.loop = loop;
      await nc.flush();
      const ended = loop.ended.then(() => session.dispose());
      return { session, ended };
    } catch (error) {
      session.loop?.close();
      await session.dispose();
      throw error;
    }
  }

  /** Ends the session (idempotent): stops pulling; the consumer is removed when the loop ends. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.loop?.close();
  }

  private async dispose(): Promise<void> {
    this.closed = true;
    await this.remove();
  }
}
