import { TagRevisions } from './tag-revisions';

describe('TagRevisions', () => {
  it('records the highest revision per tag and never lowers it', () => {
    const r = new TagRevisions(10);
    r.record('p:a', 5);
    r.record('p:a', 3);
    expect(r.revisionOf('p:a')).toBe(5);
    expect(r.revisionOf('p:b')).toBe(0);
  });

  it('requiredRevision covers every r: prefix of an entry tag', () => {
    const r = new TagRevisions(10);
    r.record('r:projects:42', 7);
    r.record('r:projects:420', 9);
    expect(r.requiredRevision(['r:projects:42:routers:7'])).toBe(7);
    expect(r.requiredRevision(['r:projects:4'])).toBe(0);
    expect(r.requiredRevision(['p:x', 'r:projects:420:a'])).toBe(9);
  });

  it('is bounded: evicted tags fold into a floor that untracked tags then assume', () => {
    const r = new TagRevisions(3);
    r.record('p:a', 10);
    r.record('p:b', 4);
    r.record('p:c', 5);
    r.record('p:d', 6); // evicts p:a (least recently invalidated)
    expect(r.size).toBe(3);
    expect(r.floor).toBe(10);
    expect(r.revisionOf('p:a')).toBe(10);
    expect(r.revisionOf('p:never')).toBe(10);
    expect(r.revisionOf('p:b')).toBe(4); // still tracked precisely
    r.record('p:e', 2); // below the floor: nothing to remember
    expect(r.size).toBe(3);
  });

  it('restores saved entries and floor without lowering anything', () => {
    const r = new TagRevisions(10);
    r.record('p:a', 8);
    r.restore([['p:a', 3], ['p:b', 4]], 2);
    expect(r.revisionOf('p:a')).toBe(8);
    expect(r.revisionOf('p:b')).toBe(4);
    expect(r.floor).toBe(2);
  });

  it('rejects a non-positive bound', () => {
    expect(() => new TagRevisions(0)).toThrow(RangeError);
  });
});
