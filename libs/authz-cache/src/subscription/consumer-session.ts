import type { NatsConnection } from '@nats-io/nats-core';
import { IAM_EVENTS_STREAM } from '@iam/contracts';
import { createEphemeralConsumer, PULL_WINDOW } from './ephemeral-consumer';
import { JS_API_HEDGE, type HedgePolicy } from './hedged-request';
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
 *
 * `ended` settles when the loop ends, not when the consumer is deleted: a
 * consumer on a dead node never answers its deletion, and a re-creation
 * must not wait for that (`removed` settles when the deletion did, for a
 * shutdown that wants it done).
 */
export class ConsumerSession {
  private loop: PullLoop | undefined;
  private closed = false;

  private constructor(
    private readonly remove: () => Promise<void>,
  ) {}

  /**
   * Creates the consumer at `startSequence` (hedged, see
   * {@link createEphemeralConsumer}) and starts pulling. Resolves once the
   * first pull request has reached the server (from then on no event is
   * missed), with the session, a promise that settles when it ends, and one
   * that settles once the consumer's deletion has been answered or given up.
   */
  static async open(
    nc: NatsConnection,
    startSequence: number,
    namePrefix: string,
    handlers: SessionHandlers,
    hedge: HedgePolicy = JS_API_HEDGE,
  ): Promise<{ session: ConsumerSession; ended: Promise<void>; removed: Promise<void> }> {
    const created = await createEphemeralConsumer(nc, { sequence: startSequence }, namePrefix, hedge);
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
      const ended = loop.ended.then(() => {
        session.closed = true;
      });
      const removed = ended.then(() => session.dispose());
      return { session, ended, removed };
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
