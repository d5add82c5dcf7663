import { AuthzConfigError } from '../errors';
import { AuthzCacheModuleOptions, resolveAuthzOptions } from './authz-cache.options';
import { AUTHZ_DEFAULTS, AUTHZ_OPTION_TABLE, AuthzOptionSpec } from './authz-option-table';

const base: AuthzCacheModuleOptions = {
  serviceName: 'turing',
  nats: { servers: ['nats://127.0.0.1:4222'] },
  authority: { transport: 'nats', httpUrl: 'http://127.0.0.1:3000/', serviceToken: 'svc-secret' },
  adminToken: 'admin-secret',
};

const integerRows = Object.entries(AUTHZ_OPTION_TABLE as Record<string, AuthzOptionSpec>).filter(([, spec]) => spec.type === 'integer');

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
      negativeTtlMs: 30_000,
      maxStalenessMs: 5_000,
      checkpointIntervalMs: 250,
      degradedPolicy: 'bounded',
      consistencyWaitMs: 50,
      rebuildConcurrency: 16,
      rebuildTopN: 1000,
      maxTagRevisions: 100_000,
      resourceSegments: 0,
      snapshotIntervalMs: 30_000,
      authority: { transport: 'nats', timeoutMs: AUTHZ_DEFAULTS.timeoutMs, httpUrl: 'http://127.0.0.1:3000' },
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
    [{ negativeTtlMs: 0 }, 'negativeTtlMs'],
    [{ negativeTtlMs: 2.5 }, 'negativeTtlMs'],
    [{ hardTtlMs: 40_000, negativeTtlMs: 50_000 }, 'negativeTtlMs'],
    [{ maxTagRevisions: 0 }, 'maxTagRevisions'],
    [{ maxTagRevisions: '10' }, 'maxTagRevisions'],
    [{ resourceSegments: 65 }, 'resourceSegments'],
  ])('refuses %j, naming %s', (override, option) => {
    const error = configError({ ...base, ...override });
    expect(error.option).toBe(option);
    expect(error.code).toBe('AUTHZ_CONFIG_INVALID');
    expect(error.message).toContain(option);
  });

  it('takes negativeTtlMs and maxTagRevisions when given, and ties an unset negativeTtlMs to softTtlMs', () => {
    expect(resolveAuthzOptions({ ...base, negativeTtlMs: 1500, maxTagRevisions: 64 })).toMatchObject({ negativeTtlMs: 1500, maxTagRevisions: 64 });
    expect(resolveAuthzOptions({ ...base, softTtlMs: 2000 }).negativeTtlMs).toBe(2000);
  });

  it("states the accepted range and the default in a range error, from the option's row", () => {
    expect(configError({ ...base, rebuildConcurrency: 2000 }).message).toBe('rebuildConcurrency must be an integer from 1 to 1024 (default 16), got 2000');
    expect(configError({ ...base, degradedPolicy: 'open' }).message).toBe("degradedPolicy must be one of bounded|fail-closed (default `bounded`), got 'open'");
  });

  it.each(integerRows)('%s: accepts the ends of its range and refuses one beyond', (path, spec) => {
    const at = (value: number) => (path === 'authority.timeoutMs' ? { authority: { ...base.authority, timeoutMs: value } } : { [path]: value });
    // The cross-field rules (softTtlMs and negativeTtlMs <= hardTtlMs) need room around the value tried.
    const room = path === 'hardTtlMs' ? { softTtlMs: 1 } : { hardTtlMs: Number.MAX_SAFE_INTEGER };
    const min = spec.min as number;
    expect(() => resolveAuthzOptions({ ...base, ...room, ...at(min) })).not.toThrow();
    if (spec.max !== undefined) {
      expect(() => resolveAuthzOptions({ ...base, ...room, ...at(spec.max as number) })).not.toThrow();
      expect(configError({ ...base, ...room, ...at(spec.max + 1) }).option).toBe(path);
    }
    expect(configError({ ...base, ...room, ...at(min - 1) }).option).toBe(path);
  });

  it('never puts a token in an error message', () => {
    const error = configError({ ...base, maxDecisions: -1 });
    expect(error.message).not.toContain('svc-secret');
    expect(error.message).not.toContain('admin-secret');
  });
});
