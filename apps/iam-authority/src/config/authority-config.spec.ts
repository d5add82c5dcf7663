import { ConfigError, loadAuthorityConfig } from './authority-config';

const quiet = { warn: () => undefined };

describe('loadAuthorityConfig', () => {
  it('has embedded defaults, with a warning for each development token', () => {
    const warnings: string[] = [];
    const config = loadAuthorityConfig({}, { warn: (message: string) => warnings.push(message) });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      natsServers: ['nats://127.0.0.1:4222'],
      natsUrlIsDefault: true,
      natsAuth: null,
      adminToken: 'dev-admin-token',
      serviceToken: 'dev-service-token',
      streamReplicas: 1,
      testCrashBeforePublish: false,
    });
    expect(config.storage).toEqual({ dataDir: expect.stringMatching(/\.data\/authority$/) });
    expect(warnings).toHaveLength(2);
    expect(warnings.join()).toContain('IAM_ADMIN_TOKEN');
  });

  it('reads PostgreSQL, a NATS cluster and credentials', () => {
    const config = loadAuthorityConfig(
      { DATABASE_URL: 'postgres://u:p@db/iam', NATS_URL: 'nats://a:4222, nats://b:4222', NATS_USER: 'authority', NATS_PASS: 'x', IAM_STREAM_REPLICAS: '3', PORT: '0' },
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
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NATS_URL: 'http://x y' }, 'NATS_URL'],
    [{ NATS_USER: 'authority' }, 'NATS_PASS'],
    [{ NATS_PASS: 'x' }, 'NATS_USER'],
    [{ NATS_CREDS: '/does/not/exist.creds' }, 'NATS_CREDS'],
    [{ IAM_ADMIN_TOKEN: 'short' }, 'IAM_ADMIN_TOKEN'],
    [{ IAM_SERVICE_TOKEN: 'has a space in it' }, 'IAM_SERVICE_TOKEN'],
    [{ IAM_ADMIN_TOKEN: 'same-token-twice', IAM_SERVICE_TOKEN: 'same-token-twice' }, 'IAM_SERVICE_TOKEN'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ IAM_STREAM_REPLICAS: '0' }, 'IAM_STREAM_REPLICAS'],
    [{ IAM_RELAY_POLL_MS: '10' }, 'IAM_RELAY_POLL_MS'],
    [{ IAM_CHECKPOINT_MS: '5' }, 'IAM_CHECKPOINT_MS'],
    [{ IAM_CHECKPOINT_MS: 'often' }, 'IAM_CHECKPOINT_MS'],
    [{ IAM_RELAY_LEASE_MS: '50' }, 'IAM_RELAY_LEASE_MS'],
    [{ IAM_CHECKPOINT_MS: '1000', IAM_RELAY_LEASE_MS: '1500' }, 'IAM_RELAY_LEASE_MS'],
    [{ IAM_TEST_CRASH_BEFORE_PUBLISH: 'yes' }, 'IAM_TEST_CRASH_BEFORE_PUBLISH'],
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
