import { Logger } from '@nestjs/common';
import { decodeEvent } from '@iam/contracts';
import type { AuthzCacheCore } from '../core/authz-cache-core';
import type { AuthzMetrics } from '../metrics/authz-metrics';

/** What applying one stream message did. */
export interface AppliedMessage {
  kind: 'event' | 'unreadable' | 'malformed';
  type?: string;
  revision?: number;
  occurredAt?: string;
  /** Entries removed. */
  removed: number;
}

/**
 * Decodes one stream message and hands it to the core: a known event is
 * applied, an unreadable one (unknown type, higher version) is applied as a
 * conservative flush, a malformed one is counted and logged (code and field,
 * never the content) and skipped. Never throws: a bad message must not stop
 * the subscription.
 */
export class EventApplier {
  private readonly logger = new Logger('InvalidationSubscriber');

  constructor(
    private readonly core: AuthzCacheCore,
    private readonly metrics: AuthzMetrics,
  ) {}

  apply(data: Uint8Array, sequence: number): AppliedMessage {
    const decoded = decodeEvent(data);
    try {
      if (decoded.kind === 'event') {
        const removed = this.core.apply(decoded.event);
        this.count(decoded.event.type, removed);
        return { kind: 'event', type: decoded.event.type, revision: decoded.event.revision, occurredAt: decoded.event.occurredAt, removed };
      }
      if (decoded.kind === 'unreadable') {
        const removed = this.core.applyUnreadable(decoded.event);
        this.count('unreadable', removed);
        this.logger.warn(
          `event seq ${sequence} (${decoded.reason}: type '${decoded.event.type}' version ${decoded.event.version}) applied as a conservative flush: ${removed} entries removed`,
        );
        return { kind: 'unreadable', type: decoded.event.type, revision: decoded.event.revision, occurredAt: decoded.event.occurredAt, removed };
      }
      this.metrics.malformedEvents.inc();
      this.logger.error(`malformed event at seq ${sequence} skipped: ${decoded.error.code} ${decoded.error.message}`);
      return { kind: 'malformed', removed: 0 };
    } catch (error) {
      // The core should not throw on a validated event; if it does, the event's effect is unknown:
      // fail closed by dropping everything, count it and keep consuming.
      this.metrics.malformedEvents.inc();
      let removed = 0;
      try {
        removed = this.core.flush();
      } catch {
        // nothing more we can do; the error below is the signal
      }
      this.logger.error(`event at seq ${sequence} could not be applied (${(error as Error).message}): cache flushed (${removed} entries)`);
      return { kind: 'malformed', removed };
    }
  }

  private count(type: string, removed: number): void {
    this.metrics.invalidations.inc({ event_type: type });
    if (removed > 0) this.metrics.invalidatedEntries.inc({ event_type: type }, removed);
  }
}
