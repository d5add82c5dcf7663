import { tagMatches } from '@iam/contracts';
import fc from 'fast-check';
import { EntryTagIndex, IndexableEntry } from './entry-tag-index';

const entry = (...tags: string[]): IndexableEntry & { name: string } => ({ name: tags.join(','), tags, indexedIn: 0 });

describe('EntryTagIndex', () => {
  it('finds entries by exact tag and r: descendants, never r: siblings sharing a string prefix, each once', () => {
    const index = new EntryTagIndex<ReturnType<typeof entry>>();
    const a = entry('p:user:a', 'r:projects:42');
    const b = entry('p:user:b', 'r:projects:42:routers:7', 'r:projects:42');
    const c = entry('p:user:c', 'r:projects:420');
    [a, b, c].forEach((e) => index.add(e));
    const names = (tag: string) => index.matching(tag).map((e) => e.name).sort();
    expect(names('r:projects:42')).toEqual([a.name, b.name].sort());
    expect(names('r:projects')).toEqual([a.name, b.name, c.name].sort());
    expect(names('r:projects:42:routers')).toEqual([b.name]);
    expect(names('p:user')).toEqual([]);
    expect(index.slots).toBe(3 + 5 + 3);
  });

  it('interns tags: entries share one string per tag', () => {
    const index = new EntryTagIndex<IndexableEntry>();
    const x = { tags: [['p', 'shared'].join(':')], indexedIn: 0 };
    const y = { tags: [['p', 'shared'].join(':')], indexedIn: 0 };
    index.add(x);
    index.add(y);
    expect(x.tags[0]).toBe(y.tags[0]);
  });

  it('agrees with tagMatches and frees every slot once its entries leave (random add/remove)', () => {
    const tagArb = fc.constantFrom('p:x', 'g:y', 'r:a', 'r:a:b', 'r:a:bc', 'r:ab', 'r:a:b:c', 'r:a::b', 'r:');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(tagArb, { maxLength: 3 }), fc.boolean()), { maxLength: 30 }), fc.constantFrom('p:x', 'r:a', 'r:a:b', 'r:', 'r:a:', 'r:ab'), (ops, eventTag) => {
        const index = new EntryTagIndex<IndexableEntry>();
        const live = new Set<IndexableEntry>();
        for (const [tags, removeOne] of ops) {
          const e = { tags, indexedIn: 0 };
          index.add(e);
          live.add(e);
          if (removeOne) {
            const victim = [...live][0];
            expect(index.remove(victim)).toBe(true);
            expect(index.remove(victim)).toBe(false);
            live.delete(victim);
          }
        }
        const expected = [...live].filter((e) => e.tags.some((t) => tagMatches(eventTag, t)));
        expect(new Set(index.matching(eventTag))).toEqual(new Set(expected));
        expect(index.matching(eventTag).length).toBe(expected.length);
        for (const e of live) index.remove(e);
        expect(index.tagCount).toBe(0);
        expect(index.keyCount).toBe(0);
        expect(index.slots).toBe(0);
      }),
    );
  });
});
