import { groupTag, policyTag, principalTag, resourceTag, tagMatches, tokenTag } from './tags';

describe('tags', () => {
  it('builds one prefix per kind', () => {
    expect([principalTag('user:a@x'), groupTag('group:eng'), policyTag('p1'), resourceTag('projects:1'), tokenTag('t')]).toEqual([
      'p:user:a@x',
      'g:group:eng',
      'pol:p1',
      'r:projects:1',
      'tok:t',
    ]);
  });

  it('matches equal tags', () => {
    expect(tagMatches('p:user:a@x', 'p:user:a@x')).toBe(true);
    expect(tagMatches('p:user:a@x', 'p:user:a@xy')).toBe(false);
  });

  it('matches resource tags by segment prefix only', () => {
    expect(tagMatches('r:projects:42', 'r:projects:42:routers:7')).toBe(true);
    expect(tagMatches('r:projects:42', 'r:projects:420')).toBe(false);
    expect(tagMatches('r:projects:42:routers:7', 'r:projects:42')).toBe(false);
  });

  it('never prefix-matches other kinds', () => {
    expect(tagMatches('g:group:eng', 'g:group:eng:x')).toBe(false);
  });
});
