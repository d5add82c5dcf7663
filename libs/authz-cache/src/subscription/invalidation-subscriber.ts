import { Logger } from '@nestjs/common';
import { ConsumerEvents, ConsumerMessages, JetStreamManager, JsMsg, NatsConnection, StreamInfo } from 'nats';
import { decodeEvent, IAM_EVENTS_STREAM, ReplayResult } from '@iam/contracts';
import type { ResolvedAuthzOptions } from '../config/authz-cache.options';
import type { AuthzCacheCore } from '../core/authz-cache-core';
import { AuthzNotLiveError } from '../errors';
import type { AuthzMetrics } from '../metrics/authz-metrics';
import type { AuthzNatsConnection } from '../nats/authz-nats-connection';
import { DegradedMode } from './degraded-mode';
import { createEphemeralConsumer } from './ephemeral-consumer';
import { EventApplier } from './event-applier';
import { SnapshotKeeper } from './snapshot-keeper';
import { checkStream } from './stream-check';
import { ProgressCallback, replayStream, ReplayRange, validateReplayRange } from './stream-replayer';
import type { SubscriptionStatus } from './subscription-status';

export type { SubscriptionStatus } from './subscription-status';

const RETRY_MS = 500;
/** How long a same-stream anomaly (behind us, or unapplied events gone) must persist before it is a gap. */
const ANOMALY_CONFIRM_MS = 1000;

/**
 * Keeps the cache in step with the IAM_EVENTS stream (DESIGN.md 5,
 * Subscription and Degraded mode). Every instance has its own ephemeral
 * consumer (broadcast, never a shared durable). On start it records the
 * stream's last sequence (or restores a snapshot) and consumes from the next
 * one; caching is enabled once the consumer is in place. It tracks the last
 * applied stream sequence, flushes the cache on any gap it cannot prove
 * harmless (purge or age-out of unapplied events, stream recreated), and
 * reports degraded mode while disconnected, without heartbeats, or lagging
 * for longer than `maxStalenessMs`.
 */
export class InvalidationSubscriber {
  private readonly logger = new Logger('InvalidationSubscriber');
  private readonly applier: EventApplier;
  private readonly snapshots: SnapshotKeeper | undefined;
  private running = false;
  private runLoop: Promise<void> | undefined;
  private session: { id: number; messages?: ConsumerMessages } | undefined;
  private sessions = 0;
  private firstSession = true;
  private appliedSequence = 0;
  private streamLastSequence = 0;
  private streamCreated: string | undefined;
  private streamMissing = false;
  private consumerLive = false;
  private cachingOn = false;
  private heartbeatLost = false;
  private readonly degradedMode: DegradedMode;
  private eventsApplied = 0;
  private malformed = 0;
  private gapFlushes = 0;
  private startedFrom: SubscriptionStatus['startedFrom'];
  private timers: NodeJS.Timeout[] = [];
  private polling = false;
  private unlisten: (() => void) | undefined;
  private wakeRetry: (() => void) | undefined;
  private lastFailure = '';
  private anomalySince: number | undefined;
  private resolveStopped: (() => void) | undefined;

  constructor(
    private readonly options: ResolvedAuthzOptions,
    private readonly connection: AuthzNatsConnection,
    private readonly core: AuthzCacheCore,
    private readonly metrics: AuthzMetrics,
  ) {
    this.applier = new EventApplier(core, metrics);
    this.degradedMode = new DegradedMode(options.maxStalenessMs, options.degradedPolicy);
    this.snapshots = options.snapshotPath ? new SnapshotKeeper(options.snapshotPath, options.serviceName, core) : undefined;
    metrics.bindSubscription(() => this.status());
  }

  /** Whether the consumer is established and the connection up. */
  get live(): boolean {
    return this.consumerLive && this.connection.connected;
  }

  /**
   * Whether reads must follow the degraded policy. Read on every request, so
   * it is a field: it is recomputed on connection events, consumer changes,
   * every applied message and every stream poll (at least once a second).
   */
  get degraded(): boolean {
    return this.degradedMode.active;
  }

  /** Whether the cache may be used at all (the subscription was live once since start). */
  get cachingEnabled(): boolean {
    return this.cachingOn;
  }

  /** Starts consuming in the background (idempotent). Start after {@link stop} resumes after the last applied sequence. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unlisten = this.connection.onEvent((event) => {
      this.refreshDegraded();
      if (event === 'reconnected') void this.poll();
    });
    const pollMs = Math.min(1000, Math.max(100, Math.floor(this.options.maxStalenessMs / 4)));
    this.timers.push(setInterval(() => void this.poll(), pollMs));
    if (this.snapshots) this.timers.push(setInterval(() => void this.writeSnapshot(), this.options.snapshotIntervalMs));
    for (const timer of this.timers) timer.unref();
    this.runLoop = this.run();
  }

  /** Stops consuming (keeps the applied position and the cache), writes a last snapshot when configured. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.unlisten?.();
    this.wakeRetry?.();
    this.resolveStopped?.();
    const messages = this.session?.messages;
    this.session = undefined;
    this.consumerLive = false;
    await messages?.close().catch(() => undefined);
    await this.runLoop?.catch(() => undefined);
    this.refreshDegraded();
    await this.writeSnapshot();
  }

  status(): SubscriptionStatus {
    this.refreshDegraded();
    return {
      live: this.live,
      degraded: this.degradedMode.active,
      ...(this.degradedMode.reason ? { degradedReason: this.degradedMode.reason } : {}),
      cachingEnabled: this.cachingOn,
      appliedSequence: this.appliedSequence,
      streamLastSequence: this.streamLastSequence,
      lag: Math.max(0, this.streamLastSequence - this.appliedSequence),
      eventsApplied: this.eventsApplied,
      malformedEvents: this.malformed,
      gapFlushes: this.gapFlushes,
      ...(this.startedFrom ? { startedFrom: this.startedFrom } : {}),
      ...(this.snapshots?.lastWrittenAt ? { lastSnapshotAt: this.snapshots.lastWrittenAt } : {}),
    };
  }

  /** Re-applies events from a sequence or a time (see {@link replayStream}). */
  async replay(range: ReplayRange, onProgress?: ProgressCallback): Promise<ReplayResult> {
    const valid = validateReplayRange(range);
    const nc = this.connection.current;
    if (!nc || !this.connection.connected) throw new AuthzNotLiveError('replay needs the NATS connection, which is down');
    const result = await replayStream(nc, this.applier, valid, onProgress);
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
    while (this.running) {
      try {
        await this.runSession(nc);
        this.lastFailure = '';
      } catch (error) {
        const message = (error as Error).message;
        if (message !== this.lastFailure) this.logger.warn(`subscription not running: ${message}; retrying`);
        this.lastFailure = message;
      }
      this.consumerLive = false;
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
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(IAM_EVENTS_STREAM);
    this.streamMissing = false;
    if (this.firstSession) {
      await this.initialPosition(jsm, info);
      this.firstSession = false;
    } else if (!this.observeStream(info)) {
      throw new Error(`stream ${IAM_EVENTS_STREAM} is behind the applied sequence ${this.appliedSequence} or misses unapplied events; re-checking`);
    }
    this.streamLastSequence = Math.max(info.state.last_seq, this.appliedSequence);
    const id = ++this.sessions;
    this.session = { id };
    const created = await createEphemeralConsumer(nc, { sequence: this.appliedSequence + 1 }, `authz_${this.options.serviceName}`);
    try {
      // abort_on_missing_resource: a lost consumer (server restart) or stream ends the session;
      // the run loop then re-creates it from the last applied sequence + 1.
      const messages = await created.consumer.consume({
        max_messages: 256,
        expires: 5000,
        abort_on_missing_resource: true,
        callback: (msg) => this.onMessage(id, msg),
      });
      if (this.session?.id !== id || !this.running) {
        await messages.close().catch(() => undefined);
        return;
      }
      this.session.messages = messages;
      void this.watchConsumer(id, messages);
      // The first pull request has reached the server: from here no event is missed.
      await nc.flush();
      this.consumerLive = true;
      this.heartbeatLost = false;
      if (!this.cachingOn) {
        this.cachingOn = true;
        this.logger.log(`subscription live from seq ${this.appliedSequence + 1}: caching enabled`);
      } else {
        this.logger.log(`subscription resumed after seq ${this.appliedSequence}`);
      }
      this.refreshDegraded();
      await messages.closed();
    } finally {
      if (this.session?.id === id) this.session = undefined;
      await created.remove();
    }
  }

  /** First session: restore a valid snapshot, else start at the stream's end (its last revision applied). */
  private async initialPosition(jsm: JetStreamManager, info: StreamInfo): Promise<void> {
    this.streamCreated = info.created;
    const restored = this.snapshots ? await this.snapshots.restore(info) : undefined;
    if (restored !== undefined) {
      this.appliedSequence = restored;
      this.startedFrom = 'snapshot';
      return;
    }
    this.appliedSequence = info.state.last_seq;
    this.startedFrom = 'stream-end';
    if (info.state.last_seq === 0) return;
    try {
      const last = await jsm.streams.getMessage(IAM_EVENTS_STREAM, { seq: info.state.last_seq });
      const decoded = decodeEvent(last.data);
      if (decoded.kind !== 'error') this.core.advanceRevision(decoded.event.revision);
    } catch (error) {
      // Not fatal: the applied revision then rises with the first event; consistency reads ask the authority meanwhile.
      this.logger.warn(`could not read the stream's last event (${(error as Error).message})`);
    }
  }

  private onMessage(sessionId: number, msg: JsMsg): void {
    if (this.session?.id !== sessionId) return; // a late delivery to a closed session
    const seq = msg.seq;
    if (seq <= this.appliedSequence) return; // already applied (redelivery after a reset)
    if (seq > this.appliedSequence + 1) this.gapFlush(`expected seq ${this.appliedSequence + 1}, got seq ${seq}`);
    const applied = this.applier.apply(msg.data, seq);
    this.appliedSequence = seq;
    this.streamLastSequence = Math.max(this.streamLastSequence, seq + msg.info.pending);
    this.heartbeatLost = false;
    if (applied.kind === 'malformed') this.malformed += 1;
    else this.eventsApplied += 1;
    if (applied.occurredAt) {
      const delay = Date.now() - Date.parse(applied.occurredAt);
      if (delay >= 0) this.metrics.propagationDelay.observe(delay);
    }
    this.refreshDegraded();
  }

  private async watchConsumer(sessionId: number, messages: ConsumerMessages): Promise<void> {
    try {
      for await (const status of await messages.status()) {
        if (this.session?.id !== sessionId) break;
        if (status.type === ConsumerEvents.HeartbeatsMissed) {
          // The server stopped talking to this consumer: degraded until a new one is in place.
          this.heartbeatLost = true;
          this.logger.warn('consumer heartbeats missed: re-creating the consumer from the last applied sequence');
          await this.restartSession();
          break;
        }
      }
    } catch {
      // the status iterator ends with the consumer
    }
  }

  /** Periodic stream check: gaps the consumer cannot see (purge, recreation) and lag. */
  private async poll(): Promise<void> {
    const nc = this.connection.current;
    if (!this.running || this.polling || !nc || !this.connection.connected || this.firstSession) {
      this.refreshDegraded();
      return;
    }
    this.polling = true;
    try {
      const info = await (await nc.jetstreamManager()).streams.info(IAM_EVENTS_STREAM);
      if (this.streamMissing) this.logger.log(`stream ${IAM_EVENTS_STREAM} is back`);
      this.streamMissing = false;
      this.observeStream(info);
      this.streamLastSequence = Math.max(info.state.last_seq, this.appliedSequence);
      if (this.streamLastSequence === this.appliedSequence && this.consumerLive) this.heartbeatLost = false;
      this.refreshDegraded();
    } catch (error) {
      if ((error as Error).message === 'stream not found') {
        if (!this.streamMissing) this.logger.warn(`stream ${IAM_EVENTS_STREAM} not found: subscription down until it is back`);
        this.streamMissing = true;
        await this.restartSession();
      }
    } finally {
      this.polling = false;
      this.refreshDegraded();
    }
  }

  /**
   * Acts on {@link checkStream}: recreated or unapplied events gone -> flush.
   * The same-stream cases (rewound, gone) may be a server still recovering
   * after a restart: they count only when still so {@link ANOMALY_CONFIRM_MS}
   * later, and meanwhile the cache is degraded (bounded staleness or
   * fail-closed, as configured). Returns false while unconfirmed.
   */
  private observeStream(info: StreamInfo): boolean {
    const check = checkStream(info, this.appliedSequence, this.streamCreated);
    if (check.kind === 'rewound' || check.kind === 'gone') {
      const now = Date.now();
      this.anomalySince ??= now;
      if (now - this.anomalySince < ANOMALY_CONFIRM_MS) return false;
    }
    this.anomalySince = undefined;
    this.streamCreated = info.created;
    if (check.kind === 'recreated' || check.kind === 'rewound') {
      const what = check.kind === 'recreated' ? 'was recreated' : 'went back behind the applied sequence';
      this.gapFlush(`stream ${IAM_EVENTS_STREAM} ${what} (last seq ${info.state.last_seq}, applied ${this.appliedSequence})`);
      this.appliedSequence = Math.max(0, info.state.first_seq - 1);
      void this.restartSession();
    } else if (check.kind === 'gone') {
      this.gapFlush(`events ${check.from}..${check.to} left the stream before they were applied`);
      this.appliedSequence = check.to;
    }
    return true;
  }

  private gapFlush(reason: string): void {
    const removed = this.core.flush();
    this.gapFlushes += 1;
    this.metrics.gapFlushes.inc();
    this.logger.warn(`cache flushed: gap: ${reason} (${removed} entries removed)`);
  }

  private async restartSession(): Promise<void> {
    const messages = this.session?.messages;
    this.session = undefined;
    this.consumerLive = false;
    this.refreshDegraded();
    await messages?.close().catch(() => undefined);
  }

  private refreshDegraded(): void {
    this.degradedMode.update({
      cachingOn: this.cachingOn,
      running: this.running,
      connected: this.connection.connected,
      streamMissing: this.streamMissing,
      consumerLive: this.consumerLive,
      heartbeatLost: this.heartbeatLost,
      gapSuspected: this.anomalySince !== undefined,
      appliedSequence: this.appliedSequence,
      streamLastSequence: this.streamLastSequence,
    });
  }

  private async writeSnapshot(): Promise<void> {
    if (!this.snapshots || !this.cachingOn || this.streamCreated === undefined) return;
    await this.snapshots.write(this.appliedSequence, this.streamCreated);
  }
}
