import { constantTimeEquals, hashSecret, mintToken, parseToken, secretMatches } from './tokens';

describe('tokens', () => {
  it('mints iam_<16 hex>_<43 base64url> and stores only the hash of the secret', () => {
    const minted = mintToken();
    expect(minted.token).toMatch(/^iam_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseToken(minted.token)!;
    expect(parsed.tokenId).toBe(minted.tokenId);
    expect(minted.secretHash).toBe(hashSecret(parsed.secret));
    expect(minted.secretHash).not.toContain(parsed.secret);
    expect(secretMatches(parsed.secret, minted.secretHash)).toBe(true);
    expect(secretMatches(parsed.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), minted.secretHash)).toBe(false);
  });

  it.each([undefined, 42, '', 'iam_', 'iam_0123456789abcdef', 'iam_0123456789ABCDEF_' + 'a'.repeat(43), 'iam_0123456789abcdef_' + 'a'.repeat(42), 'xam_0123456789abcdef_' + 'a'.repeat(43)])(
    'refuses the malformed token %p',
    (token) => {
      expect(parseToken(token)).toBeNull();
    },
  );

  it('compares configured tokens in constant time and exactly', () => {
    expect(constantTimeEquals('dev-admin-token', 'dev-admin-token')).toBe(true);
    expect(constantTimeEquals('dev-admin-token', 'dev-admin-tokeN')).toBe(false);
    expect(constantTimeEquals('dev-admin-token', 'dev-admin-token-longer')).toBe(false);
  });
});
