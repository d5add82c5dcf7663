import fc from 'fast-check';
import { DecisionEntry, HELD, NEGATIVE, REJECTED } from './cache-entry';

const tag = fc.oneof(fc.constantFrom('p:user:a', 'g:group:x', 'pol:pol_1', 'r:projects:1', ''), fc.string({ maxLength: 12 }));

describe('DecisionEntry (the entry is the answer)', () => {
  it('reads back the loaded tags, whatever their number, and looks like a plain CheckResult to JSON, spread and toEqual', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.array(tag, { maxLength: 9 }), fc.array(tag, { maxLength: 9 }), (allowed, revision, tags, later) => {
        const loaded = { allowed, revision, tags: [...tags] };
        const entry = new DecisionEntry('k', loaded, 5, 1);
        const plain = { allowed, revision, tags };
        expect(entry.tags).toEqual(tags);
        expect(entry).toEqual(plain);
        expect({ ...entry }).toEqual(plain);
        expect(Object.keys(entry)).toEqual(['allowed', 'revision', 'tags']);
        expect(JSON.parse(JSON.stringify(entry))).toEqual(plain);
        expect(entry.value).toBe(entry);
        // A caller changing what it read cannot change the cached answer.
        entry.tags.push('x');
        loaded.tags.push('y');
        expect(entry.tags).toEqual(tags);
        // The tag index replaces the tags with its interned array.
        entry.tags = later;
        expect(entry.tags).toEqual(later);
        expect(entry.flags & NEGATIVE).toBe(allowed ? 0 : NEGATIVE);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps its flags apart from the index generation it is indexed in', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { maxLength: 6 }), fc.array(fc.constantFrom('reject', 'hold', 'unhold'), { maxLength: 6 }), (allowed, generations, acts) => {
        const entry = new DecisionEntry('k', { allowed, revision: 1, tags: [] }, 0, 3);
        let held = false;
        let rejected = false;
        for (let i = 0; i < Math.max(generations.length, acts.length); i++) {
          if (i < generations.length) entry.indexedIn = generations[i];
          const act = acts[i];
          if (act === 'reject') {
            entry.reject();
            rejected = true;
          } else if (act === 'hold') {
            expect(entry.hold()).toBe(!held);
            held = true;
          } else if (act === 'unhold') {
            expect(entry.unhold()).toBe(held);
            held = false;
          }
          expect(entry.indexedIn).toBe(generations[Math.min(i, generations.length - 1)] ?? 0);
          expect(entry.rejected).toBe(rejected);
          expect((entry.flags & HELD) !== 0).toBe(held);
          expect((entry.flags & REJECTED) !== 0).toBe(rejected);
          expect((entry.flags & NEGATIVE) !== 0).toBe(!allowed);
          expect(entry.epoch).toBe(3);
        }
      }),
    );
  });
});
