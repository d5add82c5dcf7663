import { Logger } from '@nestjs/common';
import { IAM_EVENTS_STREAM } from '@iam/contracts';

/** What the subscriber knows about its own health at one moment. */
export interface SubscriptionSignals {
  /** Caching has been enabled (live once): before that there is nothing to degrade. */
  cachingOn: boolean;
  running: boolean;
  connected: boolean;
  streamMissing: boolean;
  consumerLive: boolean;
  heartbeatLost: boolean;
  /** A possible gap (stream behind us, unapplied events gone) is being confirmed before a flush. */
  gapSuspected: boolean;
  appliedSequence: number;
  streamLastSequence: number;
}

/**
 * Decides whether the cache is in degraded mode (DESIGN.md 5) and logs each
 * transition once. Lagging means not having reached, for longer than
 * `maxStalenessMs`, a stream sequence known to exist; it is measured
 * against a target (not "lag > 0"), so a subscriber that keeps up with a
 * continuous flow is never called lagging.
 */
export class DegradedMode {
  private readonly logger = new Logger('InvalidationSubscriber');
  /** Why the cache is degraded, or undefined. */
  reason: string | undefined;
  private lagSince: number | undefined;
  private lagTarget = 0;

  constructor(
    private readonly maxStalenessMs: number,
    private readonly policy: string,
  ) {}

  get active(): boolean {
    return this.reason !== undefined;
  }

  /** Recomputes from `signals` (call on every change: events, messages, polls). */
  update(signals: SubscriptionSignals, now = Date.now()): void {
    if (this.lagSince !== undefined && signals.appliedSequence >= this.lagTarget) this.lagSince = undefined;
    if (this.lagSince === undefined && signals.streamLastSequence > signals.appliedSequence) {
      this.lagSince = now;
      this.lagTarget = signals.streamLastSequence;
    }
    let reason: string | undefined;
    if (signals.cachingOn) {
      if (!signals.running) reason = 'subscription stopped';
      else if (!signals.connected) reason = 'NATS disconnected';
      else if (signals.streamMissing) reason = `stream ${IAM_EVENTS_STREAM} not found`;
      else if (!signals.consumerLive) reason = 'subscription down';
      else if (signals.heartbeatLost) reason = 'consumer heartbeats missed';
      else if (signals.gapSuspected) reason = 'gap suspected on the stream (confirming before a flush)';
      else if (this.lagSince !== undefined && now - this.lagSince > this.maxStalenessMs) {
        reason = `lagging ${signals.streamLastSequence - signals.appliedSequence} events behind for more than ${this.maxStalenessMs} ms`;
      }
    }
    if (reason === this.reason) return;
    // Stopping (shutdown) is not news; everything else is.
    if (reason && signals.running) this.logger.warn(`degraded mode (${this.policy}): ${reason}`);
    else if (!reason && this.reason) this.logger.log('degraded mode cleared');
    this.reason = reason;
  }
}
