import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { CHECKPOINT_SUBJECT, DEFAULT_CHECKPOINT_INTERVAL_MS, encodeCheckpoint, IAM_EVENTS_STREAM, subjectFor } from '@iam/contracts';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { AuthorityMetrics } from '../observability/authority-metrics';
import { RelayOutboxRepository } from '../storage/relay-outbox.repository';
import { NatsConnector } from './nats-connector';
import { RelayLease } from './relay-lease';
import { StreamPosition } from './stream-position';
import { provisionEventStream } from './stream-provisioner';

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  streamReplicas: number;
  /** Safety poll of the outbox when no wake-up came (a missed signal). Default 1000 ms. */
  pollMs?: number;
  /** Interval between two freshness checkpoints (IAM_CHECKPOINT_MS). Default 250 ms. */
  checkpointIntervalMs?: number;
  /** A standby's interval between two attempts to take the lease. Default: the checkpoint interval. */
  standbyRetryMs?: number;
  /** Rows read per round. Default 100. */
  batchSize?: number;
  /** Retry delay after a failure, doubled up to `maxBackoffMs`. Default 100 ms. */
  initialBackoffMs?: number;
  /** Default 1000 ms: a JetStream leader election is over in about that time. */
  maxBackoffMs?: number;
  /** JetStream publish and API timeout. Default 2000 ms (a retry is safe: `Nats-Msg-Id` dedupes). */
  publishTimeoutMs?: number;
  /** How often the stream's identity is re-read for checkpoints. Default 1000 ms. */
  streamCheckMs?: number;
}

/** What the relay works with (injected, so tests and tools can replace any). */
export interface OutboxRelayDeps {
  outbox: RelayOutboxRepository;
  lease: RelayLease;
  nats: NatsConnector;
  metrics: AuthorityMetrics;
  /** Raises the revision counter to what the stream corroborates (run once per stream provisioning). */
  alignRevision: (nc: NatsConnection) => Promise<{ from: number; to: number } | null>;
  /** Keeps commit notifications of other replicas flowing (PostgreSQL LISTEN); absent on PGlite. */
  listen?: () => Promise<void>;
  /** Awaited before each publish: an injection point for tests (crash the process there); production passes none. */
  beforePublish?: (revision: number) => Promise<void>;
}

/**
 * Publishes outbox rows to JetStream in revision order, one at a time, with
 * `Nats-Msg-Id` = event id, and marks each published once JetStream
 * acknowledged it. A crash between the ack and the mark republishes the row
 * on restart; JetStream drops the duplicate (duplicate window >= 2 min).
 *
 * Only the holder of the relay lease publishes ({@link RelayLease}; PGlite:
 * always). The holder also sends a freshness checkpoint every
 * `checkpointIntervalMs` on core NATS, only when every event up to the
 * committed revision is acknowledged (docs/architecture.md#freshness-lease): events first, then the checkpoint, so a checkpoint never claims
 * an event JetStream has not acknowledged.
 *
 * Woken right after each commit ({@link wake}: in process, and on PostgreSQL
 * through LISTEN/NOTIFY, so commits of every replica wake the holder), on
 * every NATS (re)connect, and by a checkpoint that finds a backlog; the
 * safety poll covers the rest. Failures (NATS down, stream missing, a leader
 * election) back off up to a second and retry forever.
 */
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private readonly position: StreamPosition;
  private stopped = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | null = null;
  private interruptSleep: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private streamReady = false;
  private epoch: number | null = null;
  private failing = false;
  private publishedTotal = 0;
  private lastErrorMessage: string | null = null;
  private nextCheckpointAt = 0;
  private nextPollAt = 0;

  constructor(
    private readonly deps: OutboxRelayDeps,
    private readonly options: OutboxRelayOptions,
  ) {
    this.position = new StreamPosition(options.streamCheckMs ?? 1000);
    deps.nats.onConnect(() => {
      // A restarted server may have lost the stream; the backlog may have grown while NATS was away.
      this.streamReady = false;
      this.wake();
    });
  }

  /** Starts the publishing loop (resumes from every unpublished row). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Wakes the loop now (called after every commit and NATS reconnect). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /** Stops the loop after the publish in flight, and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.interruptSleep?.();
    await this.loop?.catch(() => undefined);
    await this.deps.lease.release();
  }

  /** Rows not yet published. */
  async backlog(): Promise<number> {
    const backlog = await this.deps.outbox.backlog();
    this.deps.metrics.outboxBacklog.set(backlog);
    return backlog;
  }

  /** For /health: whether this relay publishes (holds the lease), and how it fares. */
  status(): { active: boolean; relay: string; published: number; lastError: string | null } {
    return { active: this.deps.lease.isHeld(), relay: this.deps.lease.holder, published: this.publishedTotal, lastError: this.failing ? this.lastErrorMessage : null };
  }

  private get checkpointMs(): number {
    return this.options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
  }

  private async run(): Promise<void> {
    const initialBackoff = this.options.initialBackoffMs ?? 100;
    let backoff = initialBackoff;
    while (!this.stopped) {
      try {
        await this.deps.listen?.();
        if (!(await this.deps.lease.hold())) {
          this.standBy();
          await this.sleep(this.options.standbyRetryMs ?? this.checkpointMs);
          continue;
        }
        if (this.epoch !== this.deps.lease.epoch) {
          // Another holder may have published meanwhile: what this relay knew of the stream is void.
          this.epoch = this.deps.lease.epoch;
          this.position.reset();
          this.wakeRequested = true;
        }
        if (await this.round()) continue;
        if (this.failing && this.deps.nats.isConnected) {
          this.logger.log('publishing again');
          this.failing = false;
        }
        backoff = initialBackoff;
        await this.waitForWake(Math.max(0, Math.min(this.nextCheckpointAt, this.nextPollAt) - performance.now()));
      } catch (error) {
        this.deps.metrics.relayErrors.inc();
        this.lastErrorMessage = (error as Error).message;
        if (!this.failing) this.logger.warn(`relay failed, retrying with backoff: ${this.lastErrorMessage}`);
        this.failing = true;
        // A missing stream (purged, deleted, server storage lost) is provisioned again.
        this.streamReady = false;
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 1000);
      }
    }
  }

  /** One round of the holder: events (when woken or due), then a checkpoint (when due). True: go again at once. */
  private async round(): Promise<boolean> {
    const nc = this.deps.nats.connection;
    // While NATS is away only the lease is kept (renewed by its timer); the reconnect wakes the loop.
    if (!nc || !this.deps.nats.isConnected) {
      // Nothing to do with a wake-up now (the reconnect wakes the loop again); keeping it would spin the loop.
      this.wakeRequested = false;
      this.nextCheckpointAt = performance.now() + this.checkpointMs;
      this.nextPollAt = performance.now() + (this.options.pollMs ?? 1000);
      return false;
    }
    if (!this.streamReady) {
      await this.prepareStream(nc);
      this.wakeRequested = true;
    }
    const now = performance.now();
    if (this.wakeRequested || now >= this.nextPollAt) {
      this.wakeRequested = false;
      this.nextPollAt = now + (this.options.pollMs ?? 1000);
      const batchSize = this.options.batchSize ?? 100;
      if ((await this.publishBatch(nc, batchSize)) === batchSize) {
        this.wakeRequested = true;
        return true;
      }
    }
    if (performance.now() >= this.nextCheckpointAt) {
      // A backlog behind the committed revision (a missed wake-up, another replica's commit): publish it now,
      // and try the checkpoint again right after it (still due), so a steady write load does not starve checkpoints.
      if ((await this.checkpoint(nc)) === 'behind') {
        this.wakeRequested = true;
        return true;
      }
      this.nextCheckpointAt = performance.now() + this.checkpointMs;
    }
    return false;
  }

  private async prepareStream(nc: NatsConnection): Promise<void> {
    await provisionEventStream(nc, this.options.streamReplicas, this.options.publishTimeoutMs ?? 2000);
    const raised = await this.deps.alignRevision(nc);
    if (raised) {
      this.logger.warn(
        `database revision ${raised.from} is behind the stream's newest corroborated event (revision ${raised.to}): ` +
          `the database was reset or restored while the stream was kept; continuing from revision ${raised.to} ` +
          'so that revisions (consistency tokens) stay monotonic on the stream',
      );
    }
    this.position.reset();
    this.streamReady = true;
  }

  private async publishBatch(nc: NatsConnection, batchSize: number): Promise<number> {
    const rows = await this.deps.outbox.unpublished(batchSize);
    const js = jetstream(nc, { timeout: this.options.publishTimeoutMs ?? 2000 });
    const encoder = new TextEncoder();
    for (const row of rows) {
      // A holder that paused past its lease publishes nothing until it renewed it (the loop does, first).
      if (this.stopped || !this.deps.lease.isHeld()) return 0;
      await this.deps.beforePublish?.(row.revision);
      const ack = await js.publish(subjectFor(row.eventType), encoder.encode(row.json), { msgID: row.eventId, timeout: this.options.publishTimeoutMs ?? 2000 });
      this.position.acknowledged(row.revision, ack.seq);
      await this.deps.outbox.markPublished(row.revision);
      this.publishedTotal += 1;
      this.deps.metrics.relayPublished.inc();
    }
    if (rows.length > 0) void this.backlog().catch(() => undefined);
    return rows.length;
  }

  /**
   * Sends one checkpoint when everything committed is on the stream. The
   * wall-clock time is read BEFORE the committed state, so `issuedAt` never
   * claims more recency than the read had.
   */
  private async checkpoint(nc: NatsConnection): Promise<'sent' | 'behind' | 'skipped'> {
    const issuedAt = Date.now();
    const state = await this.deps.outbox.committedState();
    if (state.behind) return 'behind';
    let position = this.position.known(state.revision, performance.now());
    if (!position) {
      const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: this.options.publishTimeoutMs ?? 2000 });
      const info = await jsm.streams.info(IAM_EVENTS_STREAM);
      position = this.position.fromStreamInfo(state.revision, info.created, info.state.last_seq, performance.now());
    }
    if (!this.deps.lease.isHeld() || !this.deps.nats.isConnected || this.stopped) return 'skipped';
    nc.publish(
      CHECKPOINT_SUBJECT,
      encodeCheckpoint({ v: 1, revision: state.revision, sequence: position.sequence, stream: position.stream, issuedAt, relay: this.deps.lease.holder }),
    );
    this.deps.metrics.checkpointsSent.inc();
    this.deps.metrics.checkpointRevision.set(state.revision);
    return 'sent';
  }

  private standBy(): void {
    this.epoch = null;
    this.position.reset();
  }

  private waitForWake(ms: number): Promise<void> {
    // Even an immediate go-ahead yields to I/O: a loop of resolved promises would starve the process.
    if (this.wakeRequested || this.stopped) return new Promise((resolveNow) => setImmediate(resolveNow));
    return new Promise((resolveWait) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolveWait();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Backoff and standby pause: not shortened by commits, only by {@link stop}. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolveSleep) => {
      const done = () => {
        clearTimeout(timer);
        this.interruptSleep = null;
        resolveSleep();
      };
      const timer = setTimeout(done, ms);
      this.interruptSleep = done;
    });
  }
}
