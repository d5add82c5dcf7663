import { identityKey, identityKeyOfDigest, tokenDigest, TokenKeys } from './cache-keys';

const TOKEN = `iam_0123456789abcdef_${'a'.repeat(43)}`;

describe('TokenKeys', () => {
  it('gives the identity key of the token in whatever partition it is asked for, in any order', () => {
    const keys = TokenKeys.of(TOKEN);
    expect(keys.digest).toBe(tokenDigest(TOKEN));
    for (const partition of [1, 1, 2, 1, 7, 7, 2]) {
      expect(keys.identityKey(partition)).toBe(identityKey(partition, TOKEN));
      expect(keys.identityKey(partition)).toBe(identityKeyOfDigest(partition, tokenDigest(TOKEN)));
    }
  });

  it('never holds the token itself in a key', () => {
    const keys = TokenKeys.of(TOKEN);
    expect(keys.identityKey(1)).not.toContain(TOKEN);
    expect(JSON.stringify(keys)).not.toContain(TOKEN);
  });
});
