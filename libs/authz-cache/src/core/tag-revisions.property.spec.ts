import fc from 'fast-check';
import { TagRevisions } from './tag-revisions';

/** The documented rule, written plainly: an array in recency order, the least recently invalidated first. */
class ReferenceRevisions {
  order: Array<[string, number]> = [];
  floor = 0;
  constructor(private readonly max: number) {}
  record(tag: string, revision: number): void {
    const at = this.order.findIndex(([t]) => t === tag);
    if (at !== -1) {
      if (this.order[at][1] >= revision) return;
      this.order.splice(at, 1);
    } else if (revision <= this.floor) {
      return;
    }
    this.order.push([tag, revision]);
    if (this.order.length > this.max) {
      const [, dropped] = this.order.shift()!;
      this.floor = Math.max(this.floor, dropped);
    }
  }
  revisionOf(tag: string): number {
    return this.order.find(([t]) => t === tag)?.[1] ?? this.floor;
  }
}

describe('TagRevisions against a reference model', () => {
  it('tracks, orders and drops tags exactly like the plain rule, over long runs of evictions', () => {
    const TAGS = Array.from({ length: 12 }, (_, i) => `t${i}`);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.constantFrom(...TAGS), fc.integer({ min: 1, max: 400 })), { maxLength: 400 }),
        (max, ops) => {
          const revisions = new TagRevisions(max);
          const reference = new ReferenceRevisions(max);
          for (const [tag, revision] of ops) {
            revisions.record(tag, revision);
            reference.record(tag, revision);
          }
          expect(revisions.floor).toBe(reference.floor);
          expect(revisions.entries()).toEqual(reference.order);
          for (const tag of TAGS) expect(revisions.revisionOf(tag)).toBe(reference.revisionOf(tag));
        },
      ),
      { numRuns: 300 },
    );
  });
});
