import { API_TOKEN_PATTERN, bearerToken, secretsEqual } from './bearer-token';

describe('bearer tokens', () => {
  it('reads the token of an Authorization header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken(['Bearer x', 'Bearer y'])).toBe('x');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('knows the shape of authority tokens', () => {
    expect(API_TOKEN_PATTERN.test(`iam_${'0123456789abcdef'}_${'A'.repeat(43)}`)).toBe(true);
    expect(API_TOKEN_PATTERN.test(`iam_${'0123456789ABCDEF'}_${'A'.repeat(43)}`)).toBe(false);
    expect(API_TOKEN_PATTERN.test(`iam_${'0123456789abcdef'}_${'A'.repeat(42)}`)).toBe(false);
  });

  it('compares secrets', () => {
    expect(secretsEqual('a', 'a')).toBe(true);
    expect(secretsEqual('a', 'ab')).toBe(false);
  });
});
