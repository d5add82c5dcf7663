/** An event applied without trusting its revision, remembered until a checkpoint vouches for it. */
export interface UntrustedEvent {
  revision: number;
  tags: readonly string[];
}

/** Untrusted events remembered (a forged one is never vouched for and ages out). */
const MAX_UNTRUSTED = 256;

/**
 * Revision integrity (docs/architecture.md#revision-integrity): which authority revision the cache may
 * claim to reflect. Revisions are contiguous (one per mutation), so an event
 * is believed only when it is exactly the next one (or an old one); anything
 * else waits for a checkpoint, which vouches for its revision once every
 * stream message up to its sequence is applied. Trust starts from the first
 * such checkpoint (or a snapshot the cache wrote itself), never from the
 * stream's last event.
 *
 * Pure: no I/O, no clock.
 */
export class RevisionTrust {
  private trustedRevision: number;
  private established: boolean;
  private untrusted: UntrustedEvent[] = [];

  /** `initial`: a revision the cache already vouched for itself (restored snapshot), else 0 (nothing trusted). */
  constructor(initial = 0) {
    this.trustedRevision = initial;
    this.established = initial > 0;
  }

  /** Highest revision the cache can prove it reflects. */
  get trusted(): number {
    return this.trustedRevision;
  }

  /** Events applied without being believed and not vouched for yet. */
  get untrustedCount(): number {
    return this.untrusted.length;
  }

  /**
   * An event is about to be applied: true when its revision is believed
   * (exactly trusted + 1, or not above trusted: a duplicate or an old event),
   * and then the trusted revision follows it. False: apply its invalidations
   * conservatively and record nothing at its revision.
   */
  event(revision: number, tags: readonly string[]): boolean {
    if (this.established && revision <= this.trustedRevision) return true;
    if (this.established && revision === this.trustedRevision + 1) {
      this.trustedRevision = revision;
      return true;
    }
    this.untrusted.push({ revision, tags });
    if (this.untrusted.length > MAX_UNTRUSTED) this.untrusted.shift();
    return false;
  }

  /**
   * A checkpoint whose sequence is applied vouches for its revision. Returns
   * the untrusted events it vouches for (their tag revisions may now be
   * recorded), or undefined when it raised nothing.
   */
  vouch(revision: number): UntrustedEvent[] | undefined {
    this.established = true;
    if (revision <= this.trustedRevision) return undefined;
    this.trustedRevision = revision;
    if (this.untrusted.length === 0) return [];
    const vouched = this.untrusted.filter((e) => e.revision <= revision);
    this.untrusted = this.untrusted.filter((e) => e.revision > revision);
    return vouched;
  }
}
