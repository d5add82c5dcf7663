import { IAM_EVENTS_STREAM } from '@iam/contracts';
import { FreshnessLease, ReceivedCheckpoint } from './freshness-lease';
import { RevisionTrust, UntrustedEvent } from './revision-trust';
import { checkStream, StreamFacts } from './stream-check';


/** The degraded reason while no checkpoint has been received since start. */
export const NO_CHECKPOINT_YET = 'no checkpoint received yet';

/** Why a consumer is re-created (metric label). */
export type RecreateReason = 'checkpoint-ahead' | 'heartbeats-missed' | 'consumer-lost' | 'stream-changed';

/** Settings of {@link SubscriptionDecisions}. */
export interface DecisionSettings {
  /** The authority's checkpoint interval (ms): degraded after ~2 without a renewed lease. */
  checkpointIntervalMs: number;
}

/** What to do about a stream-info reply. */
export type StreamVerdict =
  | { kind: 'ok' }
  /** An anomaly that may be a server still recovering: degraded while it is confirmed. */
  | { kind: 'confirming' }
  /** Unapplied events are gone or the stream changed: flush everything, resume after `resumeAfter`. */
  | { kind: 'gap'; reason: string; resumeAfter: number; recreate: boolean };

/** How long a same-stream anomaly (behind us, or unapplied events gone) must persist before it is a gap. */
const ANOMALY_CONFIRM_MS = 1000;

/**
 * The subscription's protocol decisions (docs/architecture.md#the-cache-module: position, gap, lease,
 * revision trust, when to re-create the consumer), as a pure state machine:
 * it takes facts (a checkpoint received, an event applied, a stream-info
 * reply, the connection or the consumer going up or down, the clock) and
 * answers with what to do. No I/O and no clock of its own: every time is a
 * monotonic ms value passed in, so tests drive it with a manual clock.
 * {@link InvalidationSubscriber} talks to NATS and carries the answers out.
 */
export class SubscriptionDecisions {
  readonly lease = new FreshnessLease();
  trust: RevisionTrust;
  /** Last stream sequence applied (every message up to it). */
  appliedSequence = 0;
  /** `created` of the stream the sequences refer to (undefined before the first stream info). */
  stream: string | undefined;
  /** Highest stream sequence known to exist. */
  streamLastSequence = 0;
  cachingOn = false;
  running = false;
  connected = false;
  consumerLive = false;
  streamMissing = false;
  heartbeatsMissed = false;
  private anomalySince: number | undefined;
  private lastRecreateAt = -Infinity;
  private readonly degradeAfterMs: number;
  private readonly aheadLimitMs: number;

  constructor(private readonly settings: DecisionSettings) {
    this.trust = new RevisionTrust();
    // Two intervals plus delivery jitter: one late checkpoint is not news, two missing ones are.
    this.degradeAfterMs = 2 * settings.checkpointIntervalMs + 50;
    this.aheadLimitMs = 2 * settings.checkpointIntervalMs + 50;
  }

  /**
   * The first position: the stream's end, or a restored snapshot (whose
   * revision the cache vouched for itself). Never trusts the stream's last
   * event: trust starts from the first checkpoint.
   */
  startAt(appliedSequence: number, stream: string, streamLastSequence: number, restoredRevision = 0): void {
    this.appliedSequence = appliedSequence;
    this.stream = stream;
    this.streamLastSequence = Math.max(streamLastSequence, appliedSequence);
    this.trust = new RevisionTrust(restoredRevision);
  }

  /**
   * A checkpoint arrived at monotonic `receivedAt` (`wallNow`: the wall
   * clock then). Returns the revision it vouches for and the untrusted
   * events it covers when it renewed the lease at once, and whether the
   * stream should be checked (it names another stream).
   */
  checkpoint(
    checkpoint: { revision: number; sequence: number; stream: string; issuedAt: number },
    receivedAt: number,
    wallNow: number,
  ): { vouched?: UntrustedEvent[]; checkStream: boolean } {
    const received: ReceivedCheckpoint = {
      revision: checkpoint.revision,
      sequence: checkpoint.sequence,
      stream: checkpoint.stream,
      receivedAt,
      provesAt: FreshnessLease.provesAt(checkpoint, receivedAt, wallNow),
    };
    if (this.stream === undefined || checkpoint.stream !== this.stream) {
      // Another stream (recreated, or we have not seen ours yet): proves nothing about what we applied.
      this.lease.lastReceived = received;
      return { checkStream: this.stream !== undefined };
    }
    if (checkpoint.sequence > this.streamLastSequence) this.streamLastSequence = checkpoint.sequence;
    if (!this.lease.receive(received, this.appliedSequence)) {
      // Not renewing can still vouch (an older checkpoint, reached): trust follows any reached checkpoint.
      if (checkpoint.sequence > this.appliedSequence) return { checkStream: false };
    }
    const vouched = this.trust.vouch(checkpoint.revision);
    return { ...(vouched ? { vouched } : {}), checkStream: false };
  }

  /**
   * Where a delivered stream message stands: already applied (skip), the
   * next one, or past a gap (flush first: the messages between are lost).
   */
  position(sequence: number): 'skip' | 'next' | 'gap' {
    if (sequence <= this.appliedSequence) return 'skip';
    return sequence === this.appliedSequence + 1 ? 'next' : 'gap';
  }

  /** Whether an event's revision is believed (see {@link RevisionTrust.event}). */
  believe(revision: number, tags: readonly string[]): boolean {
    return this.trust.event(revision, tags);
  }

  /**
   * A stream message was applied (event, unreadable or malformed alike).
   * Returns the untrusted events now vouched for by checkpoints it reached.
   */
  applied(sequence: number): UntrustedEvent[] | undefined {
    this.appliedSequence = sequence;
    if (sequence > this.streamLastSequence) this.streamLastSequence = sequence;
    this.heartbeatsMissed = false;
    const reached = this.lease.applied(sequence);
    let vouched: UntrustedEvent[] | undefined;
    for (const checkpoint of reached) {
      const more = this.trust.vouch(checkpoint.revision);
      if (more && more.length > 0) vouched = vouched ? vouched.concat(more) : more;
    }
    return vouched;
  }

  /**
   * A stream-info reply. `appliedAtRequest` is the applied sequence when the
   * request was sent: a reply computed before a burst was applied must not
   * look like a rewind. Unapplied events being gone is judged against what
   * is applied now (events applied since are not lost).
   */
  streamInfo(info: StreamFacts, appliedAtRequest: number, now: number): StreamVerdict {
    this.streamMissing = false;
    const check = checkStream(info, appliedAtRequest, this.appliedSequence, this.stream);
    if (check.kind === 'rewound' || check.kind === 'gone') {
      this.anomalySince ??= now;
      if (now - this.anomalySince < ANOMALY_CONFIRM_MS) return { kind: 'confirming' };
    }
    this.anomalySince = undefined;
    this.stream = info.created;
    if (info.last_seq > this.streamLastSequence) this.streamLastSequence = info.last_seq;
    if (check.kind === 'recreated' || check.kind === 'rewound') {
      const what = check.kind === 'recreated' ? 'was recreated' : 'went back behind the applied sequence';
      const reason = `stream ${IAM_EVENTS_STREAM} ${what} (last seq ${info.last_seq}, applied ${this.appliedSequence})`;
      const resumeAfter = Math.max(0, info.first_seq - 1);
      this.reposition(resumeAfter, info.last_seq);
      return { kind: 'gap', reason, resumeAfter, recreate: true };
    }
    if (check.kind === 'gone') {
      this.reposition(check.to, Math.max(info.last_seq, check.to));
      return { kind: 'gap', reason: `events ${check.from}..${check.to} left the stream before they were applied`, resumeAfter: check.to, recreate: false };
    }
    return { kind: 'ok' };
  }

  /** The stream does not exist (deleted): degraded until it is back. */
  streamNotFound(): void {
    this.streamMissing = true;
  }

  /** A new consumer is in place and its first pull request reached the server. */
  consumerUp(): void {
    this.consumerLive = true;
    this.heartbeatsMissed = false;
    this.cachingOn = true;
  }

  /** The consumer ended (deleted, server restart, session closed). */
  consumerDown(): void {
    this.consumerLive = false;
  }

  /** The server stopped sending heartbeats to the consumer: re-create it at once. */
  missedHeartbeats(now: number): RecreateReason {
    this.heartbeatsMissed = true;
    this.lastRecreateAt = now;
    return 'heartbeats-missed';
  }

  /**
   * Periodic check (every half checkpoint interval or so): re-create the
   * consumer when a checkpoint has stayed ahead of the applied sequence for
   * more than ~2 intervals (events not arriving while checkpoints do), at
   * most once per that period.
   */
  tick(now: number): RecreateReason | undefined {
    const waiting = this.lease.oldestPending;
    if (!waiting || !this.consumerLive) return undefined;
    if (now - Math.max(waiting.receivedAt, this.lastRecreateAt) <= this.aheadLimitMs) return undefined;
    this.lastRecreateAt = now;
    return 'checkpoint-ahead';
  }

  /** Notes a re-creation decided elsewhere (consumer lost), so {@link tick} gives the new one time. */
  recreating(now: number): void {
    this.lastRecreateAt = now;
  }

  /** Whether a gap is being confirmed. */
  get gapSuspected(): boolean {
    return this.anomalySince !== undefined;
  }

  /** Whether the cache is degraded at monotonic `now` (cheap: read on every request). */
  degradedAt(now: number): boolean {
    if (!this.cachingOn) return false;
    return !this.running || !this.connected || this.streamMissing || !this.consumerLive || this.heartbeatsMissed
      || this.anomalySince !== undefined || now - this.lease.freshAsOf > this.degradeAfterMs;
  }

  /** Why the cache is degraded at monotonic `now`, or undefined (fresh). */
  degradedReason(now: number): string | undefined {
    if (!this.cachingOn) return undefined;
    if (!this.running) return 'subscription stopped';
    if (!this.connected) return 'NATS disconnected';
    if (this.streamMissing) return `stream ${IAM_EVENTS_STREAM} not found`;
    if (!this.consumerLive) return 'subscription down';
    if (this.heartbeatsMissed) return 'consumer heartbeats missed';
    if (this.anomalySince !== undefined) return 'gap suspected on the stream (confirming before a flush)';
    const age = now - this.lease.freshAsOf;
    if (age <= this.degradeAfterMs) return undefined;
    const waiting = this.lease.newestPending;
    if (waiting) {
      return `checkpoint revision ${waiting.revision} (seq ${waiting.sequence}) ahead of applied seq ${this.appliedSequence} (revision ${this.trust.trusted}) for ${Math.round(now - (this.lease.oldestPending?.receivedAt ?? now))} ms`;
    }
    const last = this.lease.lastReceived;
    if (!last) return NO_CHECKPOINT_YET;
    if (last.stream !== this.stream) return `checkpoints name another stream (${last.stream}) than the one applied (${this.stream ?? 'unknown'})`;
    return `no checkpoint for ${Math.round(now - last.receivedAt)} ms`;
  }

  private reposition(appliedSequence: number, streamLastSequence: number): void {
    this.appliedSequence = appliedSequence;
    this.streamLastSequence = Math.max(streamLastSequence, appliedSequence);
    // Their sequences meant the old position. Trust is kept: the next event after a gap skips revisions
    // and is not believed anyway (revisions are contiguous), until a checkpoint vouches.
    this.lease.dropPending();
  }
}
