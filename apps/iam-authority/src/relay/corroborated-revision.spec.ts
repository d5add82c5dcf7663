import fc from 'fast-check';
import { corroboratedRevision } from './corroborated-revision';

const FORGED = 1_000_000_000_000;

describe('corroboratedRevision', () => {
  it.each<[string, number[], boolean, number]>([
    ['an empty stream', [], true, 0],
    ['the authority\'s own events', [1, 2, 3], true, 3],
    ['a forged outlier at the end', [1, 2, 3, FORGED], true, 3],
    ['a forged outlier between two of the authority\'s events', [4, 5, FORGED, 6], false, 6],
    ['the stream\'s only event', [7], true, 7],
    ['a lone event of a window that is not the whole stream', [7], false, 0],
    ['a lone forged event after one genuine one (nothing corroborated)', [3, FORGED], true, 0],
    ['a duplicate republished after the duplicate window', [1, 2, 2, 3], true, 3],
    ['a window starting mid-stream', [41, 42, 43], false, 43],
  ])('%s', (_name, revisions, whole, expected) => {
    expect(corroboratedRevision(revisions, whole)).toBe(expected);
  });

  it('a single forged event anywhere never raises the result above the authority\'s newest revision', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 1, max: 1000 }), fc.nat(), fc.integer({ min: 52, max: 2 ** 50 }), (count, start, at, forged) => {
        const genuine = Array.from({ length: count }, (_, i) => start + i);
        const withForged = [...genuine];
        withForged.splice(at % (count + 1), 0, forged + start);
        expect(corroboratedRevision(withForged, false)).toBe(start + count - 1);
      }),
    );
  });
});
