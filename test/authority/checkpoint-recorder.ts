import { Checkpoint, CHECKPOINT_SUBJECT, decodeCheckpoint, IAM_EVENTS_STREAM } from '@iam/contracts';
import type { ConnectionOptions, NatsConnection, Subscription } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { readStream } from './authority-harness';

/** A checkpoint as the test received it. */
export interface ReceivedCheckpoint {
  checkpoint: Checkpoint;
  /** Local wall-clock time of receipt (ms). */
  receivedAt: number;
}

/**
 * Records every checkpoint on `iam.v1.checkpoint` through a connection of
 * its own (which reconnects when the test restarts the server). Close it in
 * afterAll/finally.
 */
export class CheckpointRecorder {
  readonly received: ReceivedCheckpoint[] = [];
  private constructor(
    private readonly nc: NatsConnection,
    private readonly subscription: Subscription,
  ) {}

  static async start(options: ConnectionOptions): Promise<CheckpointRecorder> {
    const nc = await connect({ ...options, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const subscription = nc.subscribe(CHECKPOINT_SUBJECT);
    const recorder = new CheckpointRecorder(nc, subscription);
    void (async () => {
      for await (const message of subscription) recorder.received.push({ checkpoint: decodeCheckpoint(message.data), receivedAt: Date.now() });
    })();
    await nc.flush();
    return recorder;
  }

  /** Checkpoints received at or after `since`. */
  since(since: number): ReceivedCheckpoint[] {
    return this.received.filter((entry) => entry.receivedAt >= since);
  }

  async close(): Promise<void> {
    this.subscription.unsubscribe();
    await this.nc.close().catch(() => undefined);
  }
}

/**
 * Checks the checkpoint contract against the stream as it is now: every
 * revision from `firstRevision` up to the checkpoint's revision is on the
 * stream at or before its sequence, and `stream` is the stream's `created`.
 * Returns the violations (empty when every claim holds).
 */
export async function checkpointViolations(nc: NatsConnection, checkpoints: ReadonlyArray<Checkpoint>, firstRevision = 1): Promise<string[]> {
  const events = await readStream(nc);
  const seqOfRevision = new Map<number, number>();
  for (const entry of events) if (!seqOfRevision.has(entry.event.revision)) seqOfRevision.set(entry.event.revision, entry.seq);
  const jsm = await jetstreamManager(nc);
  const created = (await jsm.streams.info(IAM_EVENTS_STREAM)).created;
  const violations: string[] = [];
  for (const checkpoint of checkpoints) {
    if (checkpoint.stream !== created) violations.push(`checkpoint ${checkpoint.revision} names stream ${checkpoint.stream}, not ${created}`);
    for (let revision = firstRevision; revision <= checkpoint.revision; revision += 1) {
      const seq = seqOfRevision.get(revision);
      if (seq === undefined) violations.push(`checkpoint ${checkpoint.revision}@${checkpoint.sequence}: revision ${revision} is not on the stream`);
      else if (seq > checkpoint.sequence) violations.push(`checkpoint ${checkpoint.revision}@${checkpoint.sequence}: revision ${revision} is at sequence ${seq}`);
    }
  }
  return violations;
}
