import { randomBytes } from 'node:crypto';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerConfig, type ConsumerInfo, type StreamInfo } from '@nats-io/jetstream';
import { IAM_EVENTS_STREAM } from '@iam/contracts';
import { hedged, JS_API_HEDGE, type HedgePolicy } from './hedged-request';

/** Where an ephemeral consumer starts. */
export type ConsumerStart = { sequence: number } | { time: string };

/** How long the server keeps a consumer nobody pulls from (a crashed instance's consumer goes away). */
const INACTIVE_THRESHOLD_MS = 60_000;
const REMOVE_TIMEOUT_MS = 1000;

/**
 * Pull window of every consumer created here (live session and replay), for
 * {@link PullLoop}: up to `max_messages` are asked for in outstanding pull
 * requests, and a new pull is sent as soon as fewer than
 * `threshold_messages` are outstanding, so the server always has a request
 * to fill and catching up never waits a round trip between batches. One
 * fetch of 256 at a time replayed 64.7k events/s on a quiet 2-core machine
 * while decode + apply alone ran at 176k/s (lib README). While idle it costs
 * a fresh pull request every few seconds (pull-plan.ts); messages are
 * applied as they are parsed, so nothing is buffered client-side.
 */
export const PULL_WINDOW = { max_messages: 2048, threshold_messages: 1024 } as const;

/** A consumer made by {@link createEphemeralConsumer}; it is read through {@link PullLoop}. */
export interface EphemeralConsumer {
  readonly name: string;
  /** The server's answer to the creation (`num_pending`: what it has to deliver from its start). */
  readonly created: ConsumerInfo;
  /** Its current state, asked of the server. */
  info(): Promise<ConsumerInfo>;
  /** Deletes it, best effort and quickly. */
  remove(): Promise<void>;
}

/**
 * Creates a per-instance, un-acked, in-memory consumer on IAM_EVENTS starting
 * at a sequence or a time, and returns it with a `remove()` for clean-up.
 *
 * The creation is hedged ({@link hedged}, `hedge`): each attempt creates a
 * consumer under a fresh name, so a creation placed on a dead peer (never
 * answered) does not hold up the next one, which the server places at
 * random again; a consumer whose creation answers after another's did is
 * deleted at once.
 *
 * Why not nats.js' ordered consumer: its internal re-create loop retries
 * forever (even after the connection closed) and would keep a process
 * alive after shutdown; the subscriber owns re-creation instead, always from
 * its own last applied sequence + 1, which is exactly the resume point it
 * needs after a reconnect, a server restart or a lost consumer.
 */
export function createEphemeralConsumer(
  nc: NatsConnection,
  start: ConsumerStart,
  namePrefix: string,
  hedge: HedgePolicy = JS_API_HEDGE,
): Promise<EphemeralConsumer> {
  const prefix = namePrefix.replace(/[^A-Za-z0-9_-]/g, '_');
  const position: Partial<ConsumerConfig> =
    'sequence' in start
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, start.sequence) }
      : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.time };
  const attempt = async (timeoutMs: number): Promise<EphemeralConsumer> => {
    const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: timeoutMs });
    const name = `${prefix}_${randomBytes(6).toString('hex')}`;
    const config: Partial<ConsumerConfig> = {
      name,
      ack_policy: AckPolicy.None,
      inactive_threshold: nanos(INACTIVE_THRESHOLD_MS),
      mem_storage: true,
      num_replicas: 1,
      ...position,
    };
    const created = await jsm.consumers.add(IAM_EVENTS_STREAM, config);
    return {
      name,
      created,
      info: () => jsm.consumers.info(IAM_EVENTS_STREAM, name),
      remove: async () => {
        if (nc.isClosed()) return;
        // Best effort and quick (the server drops it after INACTIVE_THRESHOLD_MS anyway): never hold up a shutdown.
        try {
          await (await jetstreamManager(nc, { checkAPI: false, timeout: REMOVE_TIMEOUT_MS })).consumers.delete(IAM_EVENTS_STREAM, name);
        } catch {
          // gone already, or no answer: the inactivity threshold removes it
        }
      },
    };
  };
  return hedged(attempt, hedge, (late) => void late.remove());
}

/** IAM_EVENTS' stream info, hedged ({@link hedged}): asked again after a short gap rather than waited out. */
export function streamInfo(nc: NatsConnection, hedge: HedgePolicy = JS_API_HEDGE): Promise<StreamInfo> {
  return hedged(async (timeoutMs) => (await jetstreamManager(nc, { checkAPI: false, timeout: timeoutMs })).streams.info(IAM_EVENTS_STREAM), hedge);
}
