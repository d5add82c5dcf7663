import { Logger } from '@nestjs/common';
import { decodeEvent } from '@iam/contracts';
import type { AuthzCacheCore } from '../core/authz-cache-core';
import { unreadableEventTags } from '../core/unreadable-tags';
import type { AuthzMetrics } from '../metrics/authz-metrics';

/** What applying one stream message did. */
export interface AppliedMessage {
  kind: 'event' | 'unreadable' | 'malformed';
  type?: string;
  revision?: number;
  occurredAt?: string;
  /** Entries removed. */
  removed: number;
  /** Its revision was believed (recorded); false: applied conservatively (docs/architecture.md#revision-integrity). */
  trusted?: boolean;
}

/** Whether an event's revision is believed (and then recorded); see RevisionTrust. */
export type BelieveRevision = (revision: number, tags: readonly string[]) => boolean;

/**
 * Decodes one stream message and hands it to the core: a known event is
 * applied, an unreadable one (unknown type, higher version) is applied as a
 * conservative flush, a malformed one is counted and logged (code and field,
 * never the content) and skipped. An event whose revision `believe` refuses
 * is applied conservatively (its entries removed, nothing recorded at its
 * revision). Never throws: a bad message must not stop the subscription.
 */
export class EventApplier {
  private readonly logger = new Logger('InvalidationSubscriber');

  constructor(
    private readonly core: AuthzCacheCore,
    private readonly metrics: AuthzMetrics,
    private readonly believe: BelieveRevision,
  ) {}

  apply(data: Uint8Array, sequence: number): AppliedMessage {
    const decoded = decodeEvent(data);
    try {
      if (decoded.kind === 'event') {
        const { event } = decoded;
        const trusted = this.believe(event.revision, event.tags);
        const removed = trusted ? this.core.apply(event) : this.untrusted(event.type, event.tags, event.revision, sequence);
        this.count(event.type, removed);
        return { kind: 'event', type: event.type, revision: event.revision, occurredAt: event.occurredAt, removed, trusted };
      }
      if (decoded.kind === 'unreadable') {
        const tags = unreadableEventTags(decoded.event);
        const trusted = this.believe(decoded.event.revision, tags);
        const removed = trusted ? this.core.applyUnreadable(decoded.event) : this.untrusted(decoded.event.type, tags, decoded.event.revision, sequence);
        this.count('unreadable', removed);
        this.logger.warn(
          `event seq ${sequence} (${decoded.reason}: type '${decoded.event.type}' version ${decoded.event.version}) applied as a conservative flush: ${removed} entries removed`,
        );
        return { kind: 'unreadable', type: decoded.event.type, revision: decoded.event.revision, occurredAt: decoded.event.occurredAt, removed, trusted };
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

  private untrusted(type: string, tags: readonly string[], revision: number, sequence: number): number {
    const removed = this.core.applyUntrusted({ type, tags });
    const trusted = this.core.appliedRevision;
    // Before the first checkpoint nothing is trusted yet: normal at start, not news. A jump past an established revision is.
    if (trusted > 0) {
      this.logger.warn(
        `event seq ${sequence} (revision ${revision}) does not follow the trusted revision ${trusted}: invalidations applied conservatively, its revision not believed until a checkpoint vouches`,
      );
    } else {
      this.logger.debug(`event seq ${sequence} (revision ${revision}) applied conservatively: no checkpoint has vouched for a revision yet`);
    }
    return removed;
  }

  private count(type: string, removed: number): void {
    this.metrics.invalidations.inc({ event_type: type });
    if (removed > 0) this.metrics.invalidatedEntries.inc({ event_type: type }, removed);
  }
}
