import { tagMatches } from '@iam/contracts';
import { TagIndex } from './tag-index';
import { slotsOf } from './tag-slots';

describe('TagIndex', () => {
  it('finds keys by exact tag and r: descendants, never r: siblings sharing a string prefix', () => {
    const index = new TagIndex<string>();
    index.add('a', 'A', ['p:user:a', 'r:projects:42']);
    index.add('b', 'B', ['p:user:b', 'r:projects:42:routers:7']);
    index.add('c', 'C', ['p:user:c', 'r:projects:420']);
    expect(index.keysMatching('r:projects:42').sort()).toEqual(['a', 'b']);
    expect(index.keysMatching('r:projects').sort()).toEqual(['a', 'b', 'c']);
    expect(index.keysMatching('r:projects:42:routers')).toEqual(['b']);
    expect(index.keysMatching('p:user:c')).toEqual(['c']);
    expect(index.keysMatching('p:user')).toEqual([]); // only r: tags match by prefix
  });

  it('agrees with the contracts tagMatches on every pair', () => {
    const entryTags = ['r:a', 'r:a:b', 'r:a:bc', 'r:ab', 'r:a:b:c', 'p:x', 'g:y'];
    const eventTags = [...entryTags, 'r:a:', 'r:', 'p:', 'r:a:b:c:d'];
    for (const eventTag of eventTags) {
      for (const entryTag of entryTags) {
        expect(slotsOf([entryTag]).includes(eventTag)).toBe(tagMatches(eventTag, entryTag));
      }
    }
  });

  it('remove with an owner only unindexes that very entry', () => {
    const index = new TagIndex<object>();
    const older = {};
    const newer = {};
    index.add('k', older, ['p:a']);
    index.add('k', newer, ['p:b']);
    expect(index.remove('k', older)).toBe(false);
    expect(index.keysMatching('p:a')).toEqual([]);
    expect(index.keysMatching('p:b')).toEqual(['k']);
    expect(index.remove('k', newer)).toBe(true);
    expect(index.tagCount).toBe(0);
    expect(index.slots).toBe(0);
  });

  it('never retains empty sets', () => {
    const index = new TagIndex<number>();
    for (let i = 0; i < 1000; i++) index.add(`k${i}`, i, [`p:${i}`, `r:projects:${i}:x`]);
    for (let i = 0; i < 1000; i++) index.remove(`k${i}`);
    expect(index.tagCount).toBe(0);
    expect(index.keyCount).toBe(0);
    expect(index.slots).toBe(0);
  });
});
