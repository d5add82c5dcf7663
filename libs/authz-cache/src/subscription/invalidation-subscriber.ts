import { Logger } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { StreamInfo } from '@nats-io/jetstream';
import { Checkpoint, IAM_EVENTS_STREAM, ReplayResult } from '@iam/contracts';
import type { ResolvedAuthzOptions } from '../config/authz-cache.options';
import type { AuthzCacheCore } from '../core/authz-cache-core';
import { AuthzNotLiveError } from '../errors';
import type { AuthzMetrics } from '../metrics/authz-metrics';
import type { AuthzNatsConnection } from '../nats/authz-nats-connection';
import { CheckpointReceiver } from './checkpoint-receiver';
import { ConsumerSession } from './consumer-session';
import type { PulledMessage } from './pull-loop';
import { streamInfo } from './ephemeral-consumer';
import { EventApplier } from './event-applier';
import type { UntrustedEvent } from './revision-trust';
import { SnapshotKeeper } from './snapshot-keeper';
import { streamFacts } from './stream-check';
import { ProgressCallback, replayStream, ReplayRange, validateReplayRange } from './stream-replayer';
import { NO_CHECKPOINT_YET, RecreateReason, StreamVerdict, SubscriptionDecisions } from './subscription-decisions';
import { subscriptionStatus, SubscriptionStatus } from './subscription-status';

export type { SubscriptionStatus } from './subscription-status';

/** Pause between two attempts to (re-)create the consumer: a lost consumer is back on a live node within ~a second. */
const RETRY_MS = 150;

/** How long after start waiting for the first checkpoint is normal (logged, not warned). */
const FIRST_CHECKPOINT_GRACE_MS = 5000;

/**
 * Keeps the cache in step with the IAM_EVENTS stream and its freshness lease
 * (docs/architecture.md: #subscription, #freshness-lease, #degraded-mode,
 * #revision-integrity). Every decision (where to resume, is this a gap, is the lease
 * renewed, is a revision believed, re-create the consumer now) is taken by
 * {@link SubscriptionDecisions}; this class talks to NATS and carries the
 * decisions out: one disposable consumer at a time ({@link ConsumerSession}),
 * checkpoints on core NATS, periodic stream checks and a clock tick.
 */
export class InvalidationSubscriber {
  private readonly logger = new Logger('InvalidationSubscriber');
  private readonly decisions: SubscriptionDecisions;
  private readonly applier: EventApplier;
  private readonly replayApplier: EventApplier;
  private readonly snapshots: SnapshotKeeper | undefined;
  private running = false;
  private runLoop: Promise<void> | undefined;
  private session: ConsumerSession | undefined;
  /** Why the current session is being closed by us (undefined: it ended on its own: the consumer was lost). */
  private closing: RecreateReason | 'gap' | 'stop' | undefined;
  private firstSession = true;
  private readonly checkpoints = new CheckpointReceiver((checkpoint) => this.onCheckpoint(checkpoint));
  private eventsApplied = 0;
  private malformed = 0;
  private gapFlushes = 0;
  private recreations = 0;
  private startedFrom: SubscriptionStatus['startedFrom'];
  private timers: NodeJS.Timeout[] = [];
  private polling = false;
  private unlisten: (() => void) | undefined;
  private wakeRetry: (() => void) | undefined;
  private lastFailure = '';
  private lastReason: string | undefined;
  /** When start() ran: waiting for the first checkpoint is news only if it lasts (see refreshDegraded). */
  private startedAt = 0;
  private firstCheckpointLate = false;
  private resolveStopped: (() => void) | undefined;
  /** Deletions of ended consumers still in flight: a re-creation does not wait for them, a stop does. */
  private readonly removals = new Set<Promise<void>>();

  constructor(
    private readonly options: ResolvedAuthzOptions,
    private readonly connection: AuthzNatsConnection,
    private readonly core: AuthzCacheCore,
    private readonly metrics: AuthzMetrics,
  ) {
    this.decisions = new SubscriptionDecisions({ checkpointIntervalMs: options.checkpointIntervalMs });
    this.applier = new EventApplier(core, metrics, (revision, tags) => this.decisions.believe(revision, tags));
    // A replay re-applies old events: it may remove entries, never raise what is trusted.
    this.replayApplier = new EventApplier(core, metrics, (revision) => revision <= core.appliedRevision);
    this.snapshots = options.snapshotPath ? new SnapshotKeeper(options.snapshotPath, options.serviceName, core) : undefined;
    metrics.bindSubscription(() => this.status());
  }

  /** Whether the consumer is established and the connection up. */
  get live(): boolean {
    return this.decisions.consumerLive && this.connection.connected;
  }

  /**
   * Whether reads must follow the degraded policy, evaluated with the clock
   * (a lease that lapsed during a process pause is seen at once).
   */
  get degraded(): boolean {
    return this.decisions.degradedAt(this.core.now());
  }

  /** Whether the cache may be used at all (the subscription was live once since start). */
  get cachingEnabled(): boolean {
    return this.decisions.cachingOn;
  }

  /** Starts consuming in the background (idempotent). Start after {@link stop} resumes after the last applied sequence. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.core.now();
    this.decisions.running = true;
    this.decisions.connected = this.connection.connected;
    this.unlisten = this.connection.onEvent((event) => {
      this.decisions.connected = this.connection.connected;
      this.refreshDegraded();
      if (event === 'reconnected') void this.poll();
    });
    const pollMs = Math.min(1000, Math.max(100, Math.floor(this.options.maxStalenessMs / 4)));
    this.timers.push(setInterval(() => void this.poll(), pollMs));
    this.timers.push(setInterval(() => this.tick(), Math.max(25, Math.floor(this.options.checkpointIntervalMs / 2))));
    if (this.snapshots) this.timers.push(setInterval(() => void this.writeSnapshot(), this.options.snapshotIntervalMs));
    for (const timer of this.timers) timer.unref();
    this.runLoop = this.run();
  }

  /** Stops consuming (keeps the applied position and the cache), writes a last snapshot when configured. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.decisions.running = false;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.unlisten?.();
    this.wakeRetry?.();
    this.resolveStopped?.();
    this.checkpoints.stop();
    await this.endSession('stop');
    await this.runLoop?.catch(() => undefined);
    await Promise.all(this.removals);
    this.refreshDegraded();
    await this.writeSnapshot();
  }

  status(): SubscriptionStatus {
    return subscriptionStatus(this.decisions, this.core.now(), {
      live: this.live,
      eventsApplied: this.eventsApplied,
      malformedEvents: this.malformed,
      gapFlushes: this.gapFlushes,
      checkpointsReceived: this.checkpoints.received,
      consumerRecreations: this.recreations,
      ...(this.startedFrom ? { startedFrom: this.startedFrom } : {}),
      ...(this.snapshots?.lastWrittenAt ? { lastSnapshotAt: this.snapshots.lastWrittenAt } : {}),
    });
  }

  /** Re-applies events from a sequence or a time (see {@link replayStream}). */
  async replay(range: ReplayRange, onProgress?: ProgressCallback): Promise<ReplayResult> {
    const valid = validateReplayRange(range);
    const nc = this.connection.current;
    if (!nc || !this.connection.connected) throw new AuthzNotLiveError('replay needs the NATS connection, which is down');
    const result = await replayStream(nc, this.replayApplier, valid, onProgress);
    this.logger.log(
      `replay ${result.fromSequence}..${result.toSequence}: ${result.applied} events re-applied, ${result.invalidated} entries removed, ${result.malformed} malformed, ${result.durationMs} ms`,
    );
    return result;
  }

  private async run(): Promise<void> {
    // Stop must not wait for a first connection that may never come (NATS down since start).
    const stopped = new Promise<undefined>((resolve) => (this.resolveStopped = () => resolve(undefined)));
    const nc = await Promise.race([this.connection.start().catch(() => undefined), stopped]);
    if (!nc) return;
    this.decisions.connected = this.connection.connected;
    this.checkpoints.start(nc);
    while (this.running) {
      try {
        await this.runSession(nc);
        this.lastFailure = '';
      } catch (error) {
        const message = (error as Error).message;
        if (message === 'stream not found') this.decisions.streamNotFound();
        if (message !== this.lastFailure) this.logger.warn(`subscription not running: ${message}; retrying`);
        this.lastFailure = message;
      }
      this.decisions.consumerDown();
      this.refreshDegraded();
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RETRY_MS);
        this.wakeRetry = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async runSession(nc: NatsConnection): Promise<void> {
    const appliedAtRequest = this.decisions.appliedSequence;
    const info = await streamInfo(nc);
    if (this.firstSession) {
      await this.initialPosition(info);
      this.firstSession = false;
    } else {
      const verdict = this.decisions.streamInfo(streamFacts(info), appliedAtRequest, this.core.now());
      if (verdict.kind === 'confirming') {
        throw new Error(`stream ${IAM_EVENTS_STREAM} is behind the applied sequence ${this.decisions.appliedSequence} or misses unapplied events; re-checking`);
      }
      if (verdict.kind === 'gap') this.gapFlush(verdict.reason);
    }
    if (!this.running) return;
    this.closing = undefined;
    const handlers = {
      onMessage: (msg: PulledMessage) => this.onMessage(msg),
      onHeartbeatsMissed: () => this.recreate(this.decisions.missedHeartbeats(this.core.now())),
    };
    // Logged below as the start: events delivered during the open (before the log line) already move the applied sequence.
    const from = this.decisions.appliedSequence + 1;
    const { session, ended, removed } = await ConsumerSession.open(nc, from, `authz_${this.options.serviceName}`, handlers);
    this.removals.add(removed);
    void removed.then(() => this.removals.delete(removed));
    if (!this.running) {
      await session.close();
      await ended;
      return;
    }
    this.session = session;
    const wasOn = this.decisions.cachingOn;
    this.decisions.consumerUp();
    this.logger.log(wasOn ? `subscription resumed from seq ${from}` : `subscription live from seq ${from}: caching enabled`);
    this.refreshDegraded();
    await ended;
    if (this.session === session) this.session = undefined;
    if (this.closing === undefined && this.running) {
      // Nobody here closed it: deleted by another client, its node died, or the stream went away.
      this.countRecreation('consumer-lost');
      this.decisions.recreating(this.core.now());
      this.logger.warn(`consumer lost: re-creating it from seq ${this.decisions.appliedSequence + 1}`);
    }
  }

  /**
   * First session: restore a valid snapshot, else start at the stream's end.
   * The stream's last event is not believed: the trusted revision starts
   * from the first checkpoint (or the restored snapshot's own).
   */
  private async initialPosition(info: StreamInfo): Promise<void> {
    const restored = this.snapshots ? await this.snapshots.restore(info) : undefined;
    if (restored !== undefined) {
      this.startedFrom = 'snapshot';
      this.decisions.startAt(restored, info.created, info.state.last_seq, this.core.appliedRevision);
      return;
    }
    this.startedFrom = 'stream-end';
    this.decisions.startAt(info.state.last_seq, info.created, info.state.last_seq);
  }

  private onMessage(msg: PulledMessage): void {
    const seq = msg.seq;
    const position = this.decisions.position(seq);
    if (position === 'skip') return; // already applied (redelivery after a reset)
    if (position === 'gap') this.gapFlush(`expected seq ${this.decisions.appliedSequence + 1}, got seq ${seq}`);
    const applied = this.applier.apply(msg.data, seq);
    const vouched = this.decisions.applied(seq);
    if (seq + msg.pending > this.decisions.streamLastSequence) this.decisions.streamLastSequence = seq + msg.pending;
    if (applied.kind === 'malformed') this.malformed += 1;
    else this.eventsApplied += 1;
    if (applied.occurredAt) {
      const delay = Date.now() - Date.parse(applied.occurredAt);
      if (delay >= 0) this.metrics.propagationDelay.observe(delay);
    }
    this.carryOut(vouched);
  }

  private onCheckpoint(checkpoint: Checkpoint): void {
    this.metrics.checkpointsReceived.inc();
    const outcome = this.decisions.checkpoint(checkpoint, this.core.now(), Date.now());
    this.carryOut(outcome.vouched);
    if (outcome.checkStream) void this.poll();
  }

  /** Hands the decisions' lease and trust to the core (both only ever move forwards). */
  private carryOut(vouched: UntrustedEvent[] | undefined): void {
    if (vouched) for (const event of vouched) this.core.recordTagRevisions(event.tags, event.revision);
    this.core.advanceRevision(this.decisions.trust.trusted);
    this.core.renewLease(this.decisions.lease.freshAsOf);
  }

  private tick(): void {
    const reason = this.decisions.tick(this.core.now());
    if (reason) this.recreate(reason);
    this.refreshDegraded();
  }

  /** Periodic stream check: gaps the consumer cannot see (purge, recreation). Refreshes no freshness: only checkpoints do. */
  private async poll(): Promise<void> {
    const nc = this.connection.current;
    if (!this.running || this.polling || !nc || !this.connection.connected || this.firstSession) return;
    this.polling = true;
    try {
      const appliedAtRequest = this.decisions.appliedSequence;
      const info = await streamInfo(nc);
      if (this.decisions.streamMissing) this.logger.log(`stream ${IAM_EVENTS_STREAM} is back`);
      this.act(this.decisions.streamInfo(streamFacts(info), appliedAtRequest, this.core.now()));
    } catch (error) {
      // A timeout or any other failure is missing proof, not good news: nothing is refreshed.
      if ((error as Error).message === 'stream not found') {
        if (!this.decisions.streamMissing) this.logger.warn(`stream ${IAM_EVENTS_STREAM} not found: subscription down until it is back`);
        this.decisions.streamNotFound();
        await this.endSession('stream-changed');
      }
    } finally {
      this.polling = false;
      this.refreshDegraded();
    }
  }

  private act(verdict: StreamVerdict): void {
    if (verdict.kind !== 'gap') return;
    this.gapFlush(verdict.reason);
    if (verdict.recreate) this.recreate('stream-changed');
  }

  private gapFlush(reason: string): void {
    const removed = this.core.flush();
    this.gapFlushes += 1;
    this.metrics.gapFlushes.inc();
    this.logger.warn(`cache flushed: gap: ${reason} (${removed} entries removed)`);
  }

  /** Closes the current consumer so the run loop creates a new one from the applied sequence + 1 at once. */
  private recreate(reason: RecreateReason): void {
    if (!this.session) return;
    this.countRecreation(reason);
    this.logger.warn(`re-creating the consumer from seq ${this.decisions.appliedSequence + 1}: ${reason}`);
    void this.endSession(reason);
  }

  private countRecreation(reason: RecreateReason): void {
    this.recreations += 1;
    this.metrics.consumerRecreations.inc({ reason });
  }

  private async endSession(why: RecreateReason | 'gap' | 'stop'): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.closing = why;
    this.decisions.consumerDown();
    this.refreshDegraded();
    await session?.close();
  }

  /** Logs degraded-mode transitions (the state itself is computed on demand). */
  private refreshDegraded(): void {
    const now = this.core.now();
    const reason = this.decisions.degradedReason(now);
    const was = this.lastReason;
    this.lastReason = reason;
    // Right after start no checkpoint has come yet: expected for a few intervals, a warning only if it lasts.
    const awaitingFirst = reason === NO_CHECKPOINT_YET;
    if (awaitingFirst && was === reason && !this.firstCheckpointLate && this.running && now - this.startedAt > FIRST_CHECKPOINT_GRACE_MS) {
      this.firstCheckpointLate = true;
      this.logger.warn(`degraded mode (${this.options.degradedPolicy}): ${reason} ${Math.round(now - this.startedAt)} ms after start; is the authority's relay publishing checkpoints?`);
    }
    if ((reason === undefined) === (was === undefined)) return;
    // Stopping (shutdown) is not news; everything else is.
    if (reason && this.running) {
      if (awaitingFirst && now - this.startedAt <= FIRST_CHECKPOINT_GRACE_MS) this.logger.log(`waiting for the first freshness checkpoint (${this.options.degradedPolicy} until then)`);
      else this.logger.warn(`degraded mode (${this.options.degradedPolicy}): ${reason}`);
    } else if (!reason && was) this.logger.log(was === NO_CHECKPOINT_YET ? 'first freshness checkpoint: the cache is fresh' : 'degraded mode cleared');
  }

  private async writeSnapshot(): Promise<void> {
    if (!this.snapshots || !this.decisions.cachingOn || this.decisions.stream === undefined) return;
    await this.snapshots.write(this.decisions.appliedSequence, this.decisions.stream);
  }
}
