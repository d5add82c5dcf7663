import fc from 'fast-check';
import { slotCountOf, slotsOf } from './tag-slots';

describe('slotCountOf', () => {
  it('equals the number of distinct slots (slotsOf) for any tag list', () => {
    const tagArb = fc.oneof(
      fc.constantFrom('p:x', 'g:y', 'r:', 'r:a', 'r:a:', 'r:a:b', 'r:a::b', 'r:ab', 'r:a:b:c', 'pol:1', 'tok:0'),
      fc.stringMatching(/^(r|p|g):[a:]{0,6}$/),
    );
    fc.assert(
      fc.property(fc.array(tagArb, { maxLength: 20 }), (tags) => {
        expect(slotCountOf(tags)).toBe(slotsOf(tags).length);
      }),
      { numRuns: 500 },
    );
  });
});
