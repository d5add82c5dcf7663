import { tagMatches } from '@iam/contracts';
import fc from 'fast-check';
import { EntryTagIndex, IndexableEntry } from './entry-tag-index';

type Entry = IndexableEntry & { id: number };

/*
 * The index against a plain reference (the set of live entries, matched with
 * `tagMatches`) over long runs on a few tags, so that slots cross every
 * representation: one entry in a field, an array (up to 128), a Set, and
 * back down as entries leave.
 */
describe('EntryTagIndex against a reference model', () => {
  const TAGS = ['p:x', 'g:y', 'r:a', 'r:a:b', 'r:a:b:c', 'r:ab', 'pol:1'];
  const EVENT_TAGS = [...TAGS, 'r:', 'r:a:', 'p:y'];

  type Op = { kind: 'add'; tags: string[]; copies: number } | { kind: 'remove'; pick: number; count: number } | { kind: 'match'; tag: string };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), tags: fc.array(fc.constantFrom(...TAGS), { maxLength: 4 }), copies: fc.integer({ min: 1, max: 90 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 120 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('match' as const), tag: fc.constantFrom(...EVENT_TAGS) }) },
  );

  it('matches exactly the live entries an event tag matches, each once, and frees every slot at the end', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const index = new EntryTagIndex<Entry>();
        const live: Entry[] = [];
        let next = 0;
        const check = (eventTag: string): void => {
          const found = index.matching(eventTag);
          const expected = live.filter((e) => e.tags.some((t) => tagMatches(eventTag, t)));
          expect(found.length).toBe(expected.length);
          expect(new Set(found)).toEqual(new Set(expected));
        };
        for (const op of ops) {
          if (op.kind === 'add') {
            for (let i = 0; i < op.copies; i++) {
              const e: Entry = { id: next++, tags: [...op.tags], indexedIn: 0 };
              index.add(e);
              live.push(e);
            }
          } else if (op.kind === 'remove') {
            for (let i = 0; i < op.count && live.length > 0; i++) {
              const [victim] = live.splice((op.pick + i * 7) % live.length, 1);
              expect(index.remove(victim)).toBe(true);
              expect(index.remove(victim)).toBe(false);
            }
          } else {
            check(op.tag);
          }
          expect(index.keyCount).toBe(live.length);
        }
        for (const tag of EVENT_TAGS) check(tag);
        for (const e of live) index.remove(e);
        expect(index.tagCount).toBe(0);
        expect(index.slots).toBe(0);
        for (const tag of EVENT_TAGS) expect(index.matching(tag)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('holds an entry listing a tag twice once, and forgets it on remove', () => {
    const index = new EntryTagIndex<Entry>();
    const twice: Entry = { id: 1, tags: ['p:x', 'p:x', 'r:a', 'r:a'], indexedIn: 0 };
    const others: Entry[] = Array.from({ length: 200 }, (_, i) => ({ id: i + 2, tags: ['p:x'], indexedIn: 0 }));
    index.add(twice);
    others.forEach((e) => index.add(e));
    expect(index.matching('p:x').filter((e) => e === twice)).toHaveLength(1);
    expect(index.matching('r:a')).toEqual([twice]);
    index.remove(twice);
    expect(index.matching('p:x')).toHaveLength(200);
    expect(index.matching('r:a')).toEqual([]);
  });
});
