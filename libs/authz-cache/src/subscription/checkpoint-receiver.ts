import { Logger } from '@nestjs/common';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { Checkpoint, CHECKPOINT_SUBJECT, decodeCheckpoint } from '@iam/contracts';

/**
 * Listens to the authority's freshness checkpoints (core NATS
 * `iam.v1.checkpoint`) and hands each valid one over with its receipt
 * times. Invalid messages are counted and logged (first, then every 100th),
 * never acted on. A core NATS subscription survives reconnects: one per
 * connection.
 */
export class CheckpointReceiver {
  private readonly logger = new Logger('InvalidationSubscriber');
  private subscription: Subscription | undefined;
  /** Valid checkpoints received. */
  received = 0;
  /** Messages on the subject that were not valid checkpoints. */
  refused = 0;

  constructor(
    private readonly onCheckpoint: (checkpoint: Checkpoint) => void,
  ) {}

  start(nc: NatsConnection): void {
    this.subscription ??= nc.subscribe(CHECKPOINT_SUBJECT, { callback: (_error, msg) => this.receive(msg.data) });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private receive(data: Uint8Array): void {
    let checkpoint: Checkpoint;
    try {
      checkpoint = decodeCheckpoint(data);
    } catch (error) {
      this.refused += 1;
      if (this.refused === 1 || this.refused % 100 === 0) this.logger.warn(`checkpoint refused (${(error as Error).message}; ${this.refused} so far)`);
      return;
    }
    this.received += 1;
    this.onCheckpoint(checkpoint);
  }
}
