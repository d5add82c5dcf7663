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
  /*
   * A live iterator over the map, kept between evictions: every key before
   * its position has been evicted (re-recorded keys move to the end), so its
   * next key is the least recently invalidated one. A fresh `keys()` per
   * eviction would walk over the deleted holes at the front of V8's table
   * each time (until the table is rehashed): quadratic in a replay.
   */
  private oldest: MapIterator<string> | undefined;

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
      let next = this.oldest?.next();
      if (next === undefined || next.done === true) {
        this.oldest = this.revisions.keys();
        next = this.oldest.next();
      }
      const evicted = next.value as string;
      const dropped = this.revisions.get(evicted)!;
      this.revisions.delete(evicted);
      if (dropped > this.floorRevision) this.floorRevision = dropped;
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
