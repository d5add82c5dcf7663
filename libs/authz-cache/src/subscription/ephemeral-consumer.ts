import { randomBytes } from 'node:crypto';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, jetstreamManager, type ConsumerConfig, type ConsumerInfo } from '@nats-io/jetstream';
import { IAM_EVENTS_STREAM } from '@iam/contracts';

/** Where an ephemeral consumer starts. */
export type ConsumerStart = { sequence: number } | { time: string };

/** How long the server keeps a consumer nobody pulls from (a crashed instance's consumer goes away). */
const INACTIVE_THRESHOLD_MS = 60_000;
const REMOVE_TIMEOUT_MS = 1000;
/**
 * JetStream API timeout for creating one (nats.js' default is 5 s). During a
 * cluster election the server does not answer at all: a short timeout makes
 * the caller's retry (every 150 ms) reach the new leader as soon as there is
 * one. Creation itself takes ~2 ms on a 3-node loopback cluster (README).
 */
export const JS_API_TIMEOUT_MS = 1500;
/** The ceiling the subscriber's timeout grows to while requests time out (api-timeout.ts): a slow cluster still answers, a recovered one is reached again within seconds. */
export const JS_API_MAX_TIMEOUT_MS = 6000;

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
 * at a sequence or a time (JetStream API requests time out after
 * `timeoutMs`), and returns it with a `remove()` for clean-up.
 *
 * Why not nats.js' ordered consumer: its internal re-create loop retries
 * forever (even after the connection closed) and would keep a process
 * alive after shutdown; the subscriber owns re-creation instead, always from
 * its own last applied sequence + 1, which is exactly the resume point it
 * needs after a reconnect, a server restart or a lost consumer.
 */
export async function createEphemeralConsumer(
  nc: NatsConnection,
  start: ConsumerStart,
  namePrefix: string,
  timeoutMs = JS_API_TIMEOUT_MS,
): Promise<EphemeralConsumer> {
  const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
  const name = `${namePrefix.replace(/[^A-Za-z0-9_-]/g, '_')}_${randomBytes(6).toString('hex')}`;
  const config: Partial<ConsumerConfig> = {
    name,
    ack_policy: AckPolicy.None,
    inactive_threshold: nanos(INACTIVE_THRESHOLD_MS),
    mem_storage: true,
    num_replicas: 1,
    ...('sequence' in start
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, start.sequence) }
      : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.time }),
  };
  const created = await jsm.consumers.add(IAM_EVENTS_STREAM, config);
  return {
    name,
    created,
    info: () => jsm.consumers.info(IAM_EVENTS_STREAM, name),
    remove: async () => {
      if (nc.isClosed()) return;
      // Best effort and quick (the server drops it after INACTIVE_THRESHOLD_MS anyway): never hold up a shutdown.
      const quick = await jetstreamManager(nc, { timeout: REMOVE_TIMEOUT_MS }).catch(() => undefined);
      await quick?.consumers.delete(IAM_EVENTS_STREAM, name).catch(() => undefined);
    },
  };
}
