import { API_TOKEN_PATTERN, formatApiToken, parseApiToken } from './api-token';

describe('API token shape', () => {
  const secret = 'A'.repeat(43);

  it('parses what it formats', () => {
    const token = formatApiToken('0123456789abcdef', secret);
    expect(API_TOKEN_PATTERN.test(token)).toBe(true);
    expect(parseApiToken(token)).toEqual({ tokenId: '0123456789abcdef', secret });
  });

  it.each([undefined, 42, '', 'iam_0123456789ABCDEF_' + secret, 'iam_0123456789abcdef_' + secret + 'x', 'xam_0123456789abcdef_' + secret])('refuses %p', (token) => {
    expect(parseApiToken(token)).toBeNull();
  });
});
