import { AuthzConfigError } from '../errors';
import { AUTHZ_DEFAULTS, AuthzCacheModuleOptions, resolveAuthzOptions } from './authz-cache.options';

const base: AuthzCacheModuleOptions = {
  serviceName: 'turing',
  nats: { servers: ['nats://127.0.0.1:4222'] },
  authority: { transport: 'nats', httpUrl: 'http://127.0.0.1:3000/', serviceToken: 'svc-secret' },
  adminToken: 'admin-secret',
};

function configError(options: unknown): AuthzConfigError {
  try {
    resolveAuthzOptions(options as AuthzCacheModuleOptions);
  } catch (error) {
    if (error instanceof AuthzConfigError) return error;
    throw error;
  }
  throw new Error('expected an AuthzConfigError');
}

describe('resolveAuthzOptions', () => {
  it('applies every documented default', () => {
    const resolved = resolveAuthzOptions(base);
    expect(resolved).toMatchObject({
      enabled: true,
      maxDecisions: 100_000,
      maxIdentities: 10_000,
      softTtlMs: 30_000,
      hardTtlMs: 600_000,
      maxStalenessMs: 5_000,
      checkpointIntervalMs: 250,
      degradedPolicy: 'bounded',
      consistencyWaitMs: 50,
      rebuildConcurrency: 16,
      rebuildTopN: 1000,
      resourceSegments: 0,
      snapshotIntervalMs: 30_000,
      authority: { timeoutMs: AUTHZ_DEFAULTS.timeoutMs, httpUrl: 'http://127.0.0.1:3000' },
    });
    expect(resolved.snapshotPath).toBeUndefined();
  });

  it.each([
    [{ serviceName: 'Turing!' }, 'serviceName'],
    [{ nats: { servers: [] } }, 'nats.servers'],
    [{ nats: { servers: ['nats://x'], user: 'u' } }, 'nats.user'],
    [{ authority: { ...base.authority, transport: 'grpc' } }, 'authority.transport'],
    [{ authority: { ...base.authority, httpUrl: 'ftp://x' } }, 'authority.httpUrl'],
    [{ authority: { ...base.authority, serviceToken: '' } }, 'authority.serviceToken'],
    [{ adminToken: ' ' }, 'adminToken'],
    [{ maxDecisions: 0 }, 'maxDecisions'],
    [{ softTtlMs: 1.5 }, 'softTtlMs'],
    [{ softTtlMs: 10_000, hardTtlMs: 5_000 }, 'softTtlMs'],
    [{ degradedPolicy: 'open' }, 'degradedPolicy'],
    [{ rebuildConcurrency: 0 }, 'rebuildConcurrency'],
    [{ checkpointIntervalMs: 5 }, 'checkpointIntervalMs'],
    [{ enabled: 'yes' }, 'enabled'],
  ])('refuses %j, naming %s', (override, option) => {
    const error = configError({ ...base, ...override });
    expect(error.option).toBe(option);
    expect(error.code).toBe('AUTHZ_CONFIG_INVALID');
    expect(error.message).toContain(option);
  });

  it('never puts a token in an error message', () => {
    const error = configError({ ...base, maxDecisions: -1 });
    expect(error.message).not.toContain('svc-secret');
    expect(error.message).not.toContain('admin-secret');
  });
});
