import { Logger } from '@nestjs/common';
import { ConsumerEvents, ConsumerMessages, JetStreamManager, JsMsg, NatsConnection, StreamInfo } from 'nats';
import { decodeEvent, IAM_EVENTS_STREAM, ReplayResult } from '@iam/contracts';
import type { ResolvedAuthzOptions } from '../config/authz-cache.options';
import type { AuthzCacheCore } from '../core/authz-cache-core';
import { AuthzNotLiveError } from '../errors';
import type { AuthzMetrics } from '../metrics/authz-metrics';
import type { AuthzNatsConnection } from '../nats/authz-nats-connection';
import { createEphemeralConsumer } from './ephemeral-consumer';
import { EventApplier } from './event-applier';
import { SnapshotStore } from './snapshot-store';
import { ProgressCallback, replayStream, ReplayRange, validateReplayRange } from './stream-replayer';

/** The subscription's state, for /health, the stats endpoint and iamctl. */
export interface SubscriptionStatus {
  /** The consumer is established and the connection is up. */
  live: boolean;
  /** Caching was enabled but the subscription is down or lagging: reads follow the degraded policy. */
  degraded: boolean;
  degradedReason?: string;
  /** Caching has been enabled (the subscription was live at least once since start). */
  cachingEnabled: boolean;
  appliedSequence: number;
  streamLastSequence: number;
  lag: number;
  eventsApplied: number;
  malformedEvents: number;
  gapFlushes: number;
  /** Where the first session started: the stream's end, or a restored snapshot. */
  startedFrom?: 'stream-end' | 'snapshot';
  lastSnapshotAt?: string;
}

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
  private readonly snapshots: SnapshotStore | undefined;
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
  private lagSince: number | undefined;
  private degradedReason: string | undefined;
  private eventsApplied = 0;
  private malformed = 0;
  private gapFlushes = 0;
  private startedFrom: SubscriptionStatus['startedFrom'];
  private lastSnapshotAt: string | undefined;
  private liveWaiters: Array<() => void> = [];
  private timers: NodeJS.Timeout[] = [];
  private polling = false;
  private unlisten: (() => void) | undefined;
  private wakeRetry: (() => void) | undefined;
  private lastFailure = '';
  private anomalySince: number | undefined;

  constructor(
    private readonly options: ResolvedAuthzOptions,
    private readonly connection: AuthzNatsConnection,
    private readonly core: AuthzCacheCore,
    private readonly metrics: AuthzMetrics,
  ) {
    this.applier = new EventApplier(core, metrics);
    this.snapshots = options.snapshotPath ? new SnapshotStore(options.snapshotPath) : undefined;
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
    return this.degradedReason !== undefined;
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

  /** Resolves true once live, false after `timeoutMs`. */
  whenLive(timeoutMs: number): Promise<boolean> {
    if (this.live) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.liveWaiters = this.liveWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.liveWaiters.push(done);
    });
  }

  /** Stops consuming (keeps the applied position and the cache), writes a last snapshot when configured. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.unlisten?.();
    this.wakeRetry?.();
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
      degraded: this.degradedReason !== undefined,
      ...(this.degradedReason ? { degradedReason: this.degradedReason } : {}),
      cachingEnabled: this.cachingOn,
      appliedSequence: this.appliedSequence,
      streamLastSequence: this.streamLastSequence,
      lag: Math.max(0, this.streamLastSequence - this.appliedSequence),
      eventsApplied: this.eventsApplied,
      malformedEvents: this.malformed,
      gapFlushes: this.gapFlushes,
      ...(this.startedFrom ? { startedFrom: this.startedFrom } : {}),
      ...(this.lastSnapshotAt ? { lastSnapshotAt: this.lastSnapshotAt } : {}),
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
    let nc: NatsConnection;
    try {
      nc = await this.connection.start();
    } catch {
      return; // closed before it connected
    }
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
      for (const waiter of this.liveWaiters.splice(0)) waiter();
      await messages.closed();
    } finally {
      if (this.session?.id === id) this.session = undefined;
      await created.remove();
    }
  }

  /** First session: restore a valid snapshot, else start at the stream's end (its last revision applied). */
  private async initialPosition(jsm: JetStreamManager, info: StreamInfo): Promise<void> {
    this.streamCreated = info.created;
    if (this.snapshots && (await this.restoreSnapshot(this.snapshots, info))) return;
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

  private async restoreSnapshot(store: SnapshotStore, info: StreamInfo): Promise<boolean> {
    const { file, problem } = await store.read();
    if (!file) {
      if (problem) this.logger.warn(`snapshot ${store.path} discarded: ${problem}`);
      return false;
    }
    const seq = file.snapshot.streamSequence;
    let reason: string | undefined;
    if (file.streamCreated !== info.created) reason = 'the stream was recreated since it was taken';
    else if (seq + 1 < info.state.first_seq) reason = `it reflects seq ${seq} but the stream now starts at seq ${info.state.first_seq}`;
    else if (seq > info.state.last_seq) reason = `it reflects seq ${seq}, beyond the stream's last seq ${info.state.last_seq}`;
    if (reason) {
      this.logger.warn(`snapshot ${store.path} discarded: ${reason}`);
      await store.remove().catch(() => undefined);
      return false;
    }
    try {
      this.core.restore(file.snapshot);
    } catch (error) {
      this.core.flush();
      this.logger.warn(`snapshot ${store.path} discarded: it could not be restored (${(error as Error).message})`);
      return false;
    }
    this.appliedSequence = seq;
    this.startedFrom = 'snapshot';
    const stats = this.core.stats();
    this.logger.log(`snapshot restored at seq ${seq} (${stats.decisionEntries} decisions, ${stats.identityEntries} identities); replaying from seq ${seq + 1}`);
    return true;
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
    this.trackLag();
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
      this.trackLag();
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
   * Compares the stream with what was applied: recreated, or unapplied
   * events gone -> flush. A stream with the same `created` time that is
   * behind the applied sequence, or misses events not yet applied, may be a
   * server still recovering after a restart: that is flushed only when it is
   * still so {@link ANOMALY_CONFIRM_MS} later. Returns false while unconfirmed.
   */
  private observeStream(info: StreamInfo): boolean {
    const createdChanged = this.streamCreated !== undefined && info.created !== this.streamCreated;
    const rewound = info.state.last_seq < this.appliedSequence;
    const gone = info.state.first_seq > this.appliedSequence + 1;
    if (!createdChanged && (rewound || gone)) {
      const now = Date.now();
      this.anomalySince ??= now;
      if (now - this.anomalySince < ANOMALY_CONFIRM_MS) return false;
    }
    this.anomalySince = undefined;
    this.streamCreated = info.created;
    if (createdChanged || rewound) {
      const what = createdChanged ? 'was recreated' : 'went back behind the applied sequence';
      this.gapFlush(`stream ${IAM_EVENTS_STREAM} ${what} (last seq ${info.state.last_seq}, applied ${this.appliedSequence})`);
      this.appliedSequence = Math.max(0, info.state.first_seq - 1);
      void this.restartSession();
    } else if (gone) {
      this.gapFlush(`events ${this.appliedSequence + 1}..${info.state.first_seq - 1} left the stream before they were applied`);
      this.appliedSequence = info.state.first_seq - 1;
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

  private trackLag(): void {
    if (this.streamLastSequence > this.appliedSequence) this.lagSince ??= Date.now();
    else this.lagSince = undefined;
    this.refreshDegraded();
  }

  private refreshDegraded(): void {
    let reason: string | undefined;
    if (this.cachingOn) {
      if (!this.running) reason = 'subscription stopped';
      else if (!this.connection.connected) reason = 'NATS disconnected';
      else if (this.streamMissing) reason = `stream ${IAM_EVENTS_STREAM} not found`;
      else if (!this.consumerLive) reason = 'subscription down';
      else if (this.heartbeatLost) reason = 'consumer heartbeats missed';
      else if (this.lagSince !== undefined && Date.now() - this.lagSince > this.options.maxStalenessMs) {
        reason = `lagging ${this.streamLastSequence - this.appliedSequence} events behind for more than ${this.options.maxStalenessMs} ms`;
      }
    }
    if (reason === this.degradedReason) return;
    if (reason) this.logger.warn(`degraded mode (${this.options.degradedPolicy}): ${reason}`);
    else if (this.degradedReason) this.logger.log('degraded mode cleared');
    this.degradedReason = reason;
  }

  private async writeSnapshot(): Promise<void> {
    if (!this.snapshots || !this.cachingOn || this.streamCreated === undefined) return;
    try {
      const snapshot = this.core.snapshot(this.appliedSequence);
      await this.snapshots.write({ format: 1, service: this.options.serviceName, streamCreated: this.streamCreated, snapshot });
      this.lastSnapshotAt = snapshot.takenAt;
    } catch (error) {
      this.logger.warn(`snapshot not written: ${(error as Error).message}`);
    }
  }
}
