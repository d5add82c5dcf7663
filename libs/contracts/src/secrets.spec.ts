import { bearerToken, configuredSecret, fixedLengthSecretsEqual, isDevMode, secretsEqual, SecretConfigError } from './secrets';
import { natsAccessOptions, natsSecurityConnectionOptions, natsSecurityFromEnv, NatsSecurityConfigError } from './nats-security';

describe('secrets', () => {
  it('compares in constant time and parses bearer headers in one place', () => {
    expect(secretsEqual('a'.repeat(40), 'a'.repeat(40))).toBe(true);
    expect(secretsEqual('a'.repeat(40), 'a'.repeat(39))).toBe(false);
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });

  it('compares fixed-length secrets without hashing: equal only when every character is', () => {
    const token = 'iam_0123456789abcdef_' + 'a'.repeat(43);
    expect(fixedLengthSecretsEqual(token, `${token}`)).toBe(true);
    expect(fixedLengthSecretsEqual(token, token.slice(0, -1) + 'b')).toBe(false);
    expect(fixedLengthSecretsEqual(token, 'b' + token.slice(1))).toBe(false);
    expect(fixedLengthSecretsEqual(token, token.slice(1))).toBe(false);
    expect(fixedLengthSecretsEqual('', '')).toBe(true);
  });

  it('requires a long secret outside dev mode, names the variable, never echoes the value', () => {
    expect(() => configuredSecret({}, 'X_TOKEN', 'dev')).toThrow(expect.objectContaining({ variable: 'X_TOKEN' }));
    expect(() => configuredSecret({ X_TOKEN: 'short-secret' }, 'X_TOKEN', 'dev')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('short-secret') }));
    expect(() => configuredSecret({ X_TOKEN: 'short-secret' }, 'X_TOKEN', 'dev')).toThrow(SecretConfigError);
    expect(configuredSecret({ X_TOKEN: 'x'.repeat(32) }, 'X_TOKEN', 'dev')).toEqual({ value: 'x'.repeat(32) });
  });

  it('allows development defaults and short values only with IAM_DEV_MODE=1', () => {
    expect(isDevMode({ IAM_DEV_MODE: '1' })).toBe(true);
    expect(isDevMode({ IAM_DEV_MODE: '0' })).toBe(false);
    expect(configuredSecret({ IAM_DEV_MODE: '1' }, 'X_TOKEN', 'dev')).toEqual({ value: 'dev', warning: expect.stringContaining('X_TOKEN') });
    expect(configuredSecret({ IAM_DEV_MODE: '1', X_TOKEN: 'short' }, 'X_TOKEN', 'dev').value).toBe('short');
    expect(() => configuredSecret({ IAM_DEV_MODE: '1', X_TOKEN: 'has space' }, 'X_TOKEN', 'dev')).toThrow(SecretConfigError);
  });
});

describe('NATS security options', () => {
  it('reads the inbox prefix and TLS files, naming a bad variable', () => {
    expect(natsSecurityFromEnv({ NATS_INBOX_PREFIX: '_INBOX_turing' })).toEqual({ inboxPrefix: '_INBOX_turing' });
    expect(() => natsSecurityFromEnv({ NATS_INBOX_PREFIX: 'inbox.turing' })).toThrow(expect.objectContaining({ variable: 'NATS_INBOX_PREFIX' }));
    expect(() => natsSecurityFromEnv({ NATS_TLS_CA: '/does/not/exist.pem' })).toThrow(NatsSecurityConfigError);
    expect(() => natsSecurityFromEnv({ NATS_TLS_CERT: __filename })).toThrow(expect.objectContaining({ variable: 'NATS_TLS_KEY' }));
    expect(natsSecurityFromEnv({ NATS_TLS_CA: __filename })).toEqual({ tls: { caFile: __filename } });
  });

  it('turns them into nats.js options', () => {
    expect(natsSecurityConnectionOptions(undefined)).toEqual({});
    expect(natsSecurityConnectionOptions({ inboxPrefix: '_INBOX_merlin', tls: { caFile: '/ca.pem' } })).toEqual({ inboxPrefix: '_INBOX_merlin', tls: { caFile: '/ca.pem' } });
  });

  it('adds the credentials: user and password, or an authenticator read from a .creds file', () => {
    expect(natsAccessOptions(null, undefined)).toEqual({});
    expect(natsAccessOptions({ user: 'turing', pass: 'pw' }, { inboxPrefix: '_INBOX_turing' })).toEqual({ user: 'turing', pass: 'pw', inboxPrefix: '_INBOX_turing' });
    expect(natsAccessOptions({ user: '' }, undefined)).toEqual({});
    expect(typeof natsAccessOptions({ credsFile: __filename }, undefined).authenticator).toBe('function');
    expect(() => natsAccessOptions({ credsFile: '/does/not/exist.creds' }, undefined)).toThrow(/ENOENT/);
  });
});
