import { forEachSlot } from './tag-slots';

/**
 * Per-tag last invalidation revision: the memory behind the revision guard.
 * Bounded: when more than `maxTags` tags are tracked, the least recently
 * invalidated one is dropped and its revision folded into `floor`; a tag not
 * tracked is treated as invalidated at `floor`. Dropping therefore only ever
 * makes the guard stricter (a reload too many), never laxer.
 */
export class TagRevisions {
  private readonly revisions = new Map<string, number>();
  private floorRevision = 0;

  constructor(private readonly maxTags: number) {
    if (!Number.isInteger(maxTags) || maxTags < 1) {
      throw new RangeError(`maxTagRevisions must be a positive integer, got ${String(maxTags)}`);
    }
  }

  /** Records that `tag` was invalidated at `revision` (never lowers it). */
  record(tag: string, revision: number): void {
    const known = this.revisions.get(tag);
    if (known !== undefined) {
      if (known >= revision) return;
      this.revisions.delete(tag); // re-insert: Map order doubles as recency order
    } else if (revision <= this.floorRevision) {
      return;
    }
    this.revisions.set(tag, revision);
    if (this.revisions.size > this.maxTags) {
      const oldest = this.revisions.entries().next().value as [string, number];
      this.revisions.delete(oldest[0]);
      if (oldest[1] > this.floorRevision) this.floorRevision = oldest[1];
    }
  }

  /** Last invalidation revision of one tag (the floor when not tracked). */
  revisionOf(tag: string): number {
    return this.revisions.get(tag) ?? this.floorRevision;
  }

  /**
   * Highest invalidation revision an answer with these tags must reach:
   * over each tag and, for `r:` tags, each `:`-prefix of the resource
   * (an event on `r:projects:42` invalidates `r:projects:42:routers:7`).
   */
  requiredRevision(tags: readonly string[]): number {
    let required = 0;
    const visit = (slot: string): void => {
      const r = this.revisionOf(slot);
      if (r > required) required = r;
    };
    for (const tag of tags) forEachSlot(tag, visit);
    return required;
  }

  /** Revision assumed for tags no longer tracked. */
  get floor(): number {
    return this.floorRevision;
  }

  get size(): number {
    return this.revisions.size;
  }

  /** Tracked tags, least recently invalidated first (snapshot order). */
  entries(): Array<[string, number]> {
    return [...this.revisions];
  }

  /** Merges saved revisions (snapshot restore); never lowers anything. */
  restore(entries: Iterable<readonly [string, number]>, floor = 0): void {
    if (floor > this.floorRevision) this.floorRevision = floor;
    for (const [tag, revision] of entries) this.record(tag, revision);
  }
}
