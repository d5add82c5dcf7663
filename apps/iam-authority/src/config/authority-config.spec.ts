import { ConfigError, loadAuthorityConfig } from './authority-config';

const quiet = { warn: () => undefined };
const DEV = { IAM_DEV_MODE: '1' };
const LONG_ADMIN = 'a'.repeat(32);
const LONG_SERVICE = 's'.repeat(32);

describe('loadAuthorityConfig', () => {
  it('has embedded defaults in dev mode, with a warning for each development token', () => {
    const warnings: string[] = [];
    const config = loadAuthorityConfig({ ...DEV }, { warn: (message: string) => warnings.push(message) });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      natsServers: ['nats://127.0.0.1:4222'],
      natsUrlIsDefault: true,
      natsAuth: null,
      adminTokens: [{ owner: 'dev', token: 'dev-admin-token' }],
      serviceToken: 'dev-service-token',
      streamReplicas: 1,
    });
    expect(config.storage).toEqual({ dataDir: expect.stringMatching(/\.data\/authority$/) });
    expect(warnings).toHaveLength(2);
    expect(warnings.join()).toContain('IAM_ADMIN_TOKENS');
  });

  it('outside dev mode, refuses to start without tokens or with short ones, naming the variable', () => {
    expect(() => loadAuthorityConfig({}, quiet)).toThrow(expect.objectContaining({ variable: 'IAM_ADMIN_TOKEN' }));
    expect(() => loadAuthorityConfig({ IAM_ADMIN_TOKENS: `alice:${LONG_ADMIN}` }, quiet)).toThrow(expect.objectContaining({ variable: 'IAM_SERVICE_TOKEN' }));
    expect(() => loadAuthorityConfig({ IAM_ADMIN_TOKENS: 'alice:too-short-token', IAM_SERVICE_TOKEN: LONG_SERVICE }, quiet)).toThrow(
      expect.objectContaining({ variable: 'IAM_ADMIN_TOKENS', message: expect.not.stringContaining('too-short-token') }),
    );
    expect(() => loadAuthorityConfig({ IAM_ADMIN_TOKENS: `alice:${LONG_ADMIN}`, IAM_SERVICE_TOKEN: 'short' }, quiet)).toThrow(
      expect.objectContaining({ variable: 'IAM_SERVICE_TOKEN' }),
    );
  });

  it('reads several admin tokens with their owners (rotation), each distinct from the service token', () => {
    const config = loadAuthorityConfig({ IAM_ADMIN_TOKENS: `alice:${LONG_ADMIN}, ci:${'c'.repeat(40)}`, IAM_SERVICE_TOKEN: LONG_SERVICE }, quiet);
    expect(config.adminTokens).toEqual([
      { owner: 'alice', token: LONG_ADMIN },
      { owner: 'ci', token: 'c'.repeat(40) },
    ]);
    expect(() => loadAuthorityConfig({ IAM_ADMIN_TOKENS: `alice:${LONG_ADMIN},alice:${'c'.repeat(40)}`, IAM_SERVICE_TOKEN: LONG_SERVICE }, quiet)).toThrow(/twice/);
    expect(() => loadAuthorityConfig({ IAM_ADMIN_TOKENS: `alice:${LONG_ADMIN}`, IAM_SERVICE_TOKEN: LONG_ADMIN }, quiet)).toThrow(
      expect.objectContaining({ variable: 'IAM_SERVICE_TOKEN' }),
    );
    expect(() => loadAuthorityConfig({ IAM_ADMIN_TOKENS: LONG_ADMIN, IAM_SERVICE_TOKEN: LONG_SERVICE }, quiet)).toThrow(expect.objectContaining({ variable: 'IAM_ADMIN_TOKENS' }));
  });

  it('reads PostgreSQL, a NATS cluster and credentials', () => {
    const config = loadAuthorityConfig(
      { ...DEV, DATABASE_URL: 'postgres://u:p@db/iam', NATS_URL: 'nats://a:4222, nats://b:4222', NATS_USER: 'authority', NATS_PASS: 'x', IAM_STREAM_REPLICAS: '3', PORT: '0' },
      quiet,
    );
    expect(config.storage).toEqual({ databaseUrl: 'postgres://u:p@db/iam' });
    expect(config.natsServers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(config.natsUrlIsDefault).toBe(false);
    expect(config.natsAuth).toEqual({ user: 'authority', pass: 'x' });
    expect(config.streamReplicas).toBe(3);
    expect(config.port).toBe(0);
    expect(config.relayPollMs).toBe(1000);
    expect(config.checkpointIntervalMs).toBe(250);
    expect(config.relayLeaseMs).toBe(1000);
  });

  it.each([
    [{ ...DEV, PORT: 'eighty' }, 'PORT'],
    [{ ...DEV, PORT: '70000' }, 'PORT'],
    [{ ...DEV, NATS_URL: 'http://x y' }, 'NATS_URL'],
    [{ ...DEV, NATS_USER: 'authority' }, 'NATS_PASS'],
    [{ ...DEV, NATS_PASS: 'x' }, 'NATS_USER'],
    [{ ...DEV, NATS_CREDS: '/does/not/exist.creds' }, 'NATS_CREDS'],
    [{ IAM_ADMIN_TOKEN: 'short' }, 'IAM_ADMIN_TOKEN'],
    [{ ...DEV, NATS_INBOX_PREFIX: 'inbox.turing' }, 'NATS_INBOX_PREFIX'],
    [{ ...DEV, NATS_TLS_CA: '/does/not/exist.pem' }, 'NATS_TLS_CA'],
    [{ ...DEV, IAM_SERVICE_TOKEN: 'has a space in it' }, 'IAM_SERVICE_TOKEN'],
    [{ ...DEV, IAM_ADMIN_TOKEN: 'same-token-twice', IAM_SERVICE_TOKEN: 'same-token-twice' }, 'IAM_SERVICE_TOKEN'],
    [{ ...DEV, DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ ...DEV, IAM_STREAM_REPLICAS: '0' }, 'IAM_STREAM_REPLICAS'],
    [{ ...DEV, IAM_RELAY_POLL_MS: '10' }, 'IAM_RELAY_POLL_MS'],
    [{ ...DEV, IAM_CHECKPOINT_MS: '5' }, 'IAM_CHECKPOINT_MS'],
    [{ ...DEV, IAM_CHECKPOINT_MS: 'often' }, 'IAM_CHECKPOINT_MS'],
    [{ ...DEV, IAM_RELAY_LEASE_MS: '50' }, 'IAM_RELAY_LEASE_MS'],
    [{ ...DEV, IAM_CHECKPOINT_MS: '1000', IAM_RELAY_LEASE_MS: '1500' }, 'IAM_RELAY_LEASE_MS'],
  ])('refuses %p naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadAuthorityConfig(env, quiet);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable, code: 'CONFIG_INVALID', message: expect.stringContaining(variable) });
  });

  it('never echoes a token value', () => {
    expect(() => loadAuthorityConfig({ IAM_ADMIN_TOKEN: 'sec ret-value-123' }, quiet)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('ret-value') }));
  });
});
