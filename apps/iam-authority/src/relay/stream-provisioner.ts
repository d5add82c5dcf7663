import { eventStreamConfig } from '@iam/contracts';
import type { NatsConnection } from '@nats-io/nats-core';
import { JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';

/** JetStream API error code: "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

/**
 * Creates the IAM_EVENTS stream, or updates it to the configuration when it
 * exists with another one. Idempotent: every authority start (and the relay
 * after NATS comes back) may call it. `timeoutMs` bounds each JetStream API
 * call (default: the connection's), so a leader election costs a prompt retry.
 */
export async function provisionEventStream(nc: NatsConnection, replicas: number, timeoutMs?: number): Promise<void> {
  const config = eventStreamConfig({ replicas });
  const jsm = await jetstreamManager(nc, timeoutMs === undefined ? {} : { timeout: timeoutMs });
  try {
    await jsm.streams.add(config);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error;
    await jsm.streams.update(config.name, config);
  }
}
