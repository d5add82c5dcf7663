import { AuthzConfigError } from '../errors';
import { AUTHZ_OPTION_TABLE, AuthzOptionSpec } from './authz-option-table';
import { authzOptionsFromEnv, DEV_ADMIN_TOKEN, DEV_OPERATOR_KEY, DEV_SERVICE_TOKEN } from './authz-options-from-env';

const integerRows = Object.entries(AUTHZ_OPTION_TABLE as Record<string, AuthzOptionSpec>).filter(([, spec]) => spec.type === 'integer' && spec.env !== undefined);

function configError(env: NodeJS.ProcessEnv): AuthzConfigError {
  try {
    authzOptionsFromEnv({ IAM_DEV_MODE: '1', ...env }, { serviceName: 'turing' });
  } catch (error) {
    if (error instanceof AuthzConfigError) return error;
    throw error;
  }
  throw new Error('expected an AuthzConfigError');
}

describe('authzOptionsFromEnv', () => {
  it('reads an empty environment as the development defaults', () => {
    const options = authzOptionsFromEnv({ IAM_DEV_MODE: '1' }, { serviceName: 'merlin' });
    expect(options).toMatchObject({
      serviceName: 'merlin',
      nats: { servers: ['nats://127.0.0.1:4222'] },
      authority: { transport: 'nats', httpUrl: 'http://127.0.0.1:3000', serviceToken: DEV_SERVICE_TOKEN },
      adminToken: DEV_ADMIN_TOKEN,
      operatorKey: DEV_OPERATOR_KEY,
      enabled: true,
      degradedPolicy: 'bounded',
    });
    expect(options.snapshotPath).toBeUndefined();
  });

  it('outside dev mode, refuses missing or short tokens naming the variable, and the authority admin token altogether', () => {
    const long = { IAM_SERVICE_TOKEN: 's'.repeat(32), AUTHZ_ADMIN_TOKEN: 'c'.repeat(32) };
    expect(() => authzOptionsFromEnv({}, { serviceName: 'turing' })).toThrow(expect.objectContaining({ option: 'IAM_SERVICE_TOKEN' }));
    expect(() => authzOptionsFromEnv({ IAM_SERVICE_TOKEN: 's'.repeat(32) }, { serviceName: 'turing' })).toThrow(expect.objectContaining({ option: 'AUTHZ_ADMIN_TOKEN' }));
    expect(() => authzOptionsFromEnv({ ...long, AUTHZ_ADMIN_TOKEN: 'short' }, { serviceName: 'turing' })).toThrow(expect.objectContaining({ option: 'AUTHZ_ADMIN_TOKEN' }));
    expect(() => authzOptionsFromEnv({ ...long, IAM_ADMIN_TOKEN: 'a'.repeat(32) }, { serviceName: 'turing' })).toThrow(expect.objectContaining({ option: 'IAM_ADMIN_TOKEN' }));
    // No operator key outside dev mode: the control plane is off, the service still starts.
    expect(authzOptionsFromEnv(long, { serviceName: 'turing' }).operatorKey).toBeUndefined();
    expect(authzOptionsFromEnv({ ...long, IAM_OPERATOR_KEY: 'k'.repeat(32) }, { serviceName: 'turing' }).operatorKey).toBe('k'.repeat(32));
  });

  it('reads every variable', () => {
    const options = authzOptionsFromEnv({
      IAM_DEV_MODE: '1',
      SERVICE_NAME: 'turing',
      NATS_URL: 'nats://a:4222, nats://b:4222',
      NATS_USER: 'service',
      NATS_PASS: 'pw',
      AUTHORITY_URL: 'http://authority:3000',
      AUTHZ_TRANSPORT: 'http',
      IAM_SERVICE_TOKEN: 'svc',
      AUTHZ_ADMIN_TOKEN: 'adm',
      IAM_OPERATOR_KEY: 'opk',
      NATS_INBOX_PREFIX: '_INBOX_turing',
      AUTHZ_MAX_UNKNOWN_TOKENS: '13',
      AUTHZ_AUTHORITY_RESOLVE_RATE: '14',
      AUTHZ_ENABLED: 'false',
      AUTHZ_MAX_DECISIONS: '5',
      AUTHZ_MAX_IDENTITIES: '6',
      AUTHZ_SOFT_TTL_MS: '7',
      AUTHZ_HARD_TTL_MS: '8',
      AUTHZ_NEGATIVE_TTL_MS: '3',
      AUTHZ_MAX_STALENESS_MS: '9',
      AUTHZ_CHECKPOINT_MS: '100',
      AUTHZ_DEGRADED_POLICY: 'fail-closed',
      AUTHZ_CONSISTENCY_WAIT_MS: '10',
      AUTHZ_REBUILD_CONCURRENCY: '11',
      AUTHZ_REBUILD_TOP_N: '12',
      AUTHZ_MAX_TAG_REVISIONS: '15',
      AUTHZ_RESOURCE_SEGMENTS: '2',
      AUTHZ_SNAPSHOT_PATH: '/tmp/snap.json',
      AUTHZ_SNAPSHOT_INTERVAL_MS: '1000',
    });
    expect(options).toEqual({
      serviceName: 'turing',
      nats: { servers: ['nats://a:4222', 'nats://b:4222'], user: 'service', pass: 'pw', inboxPrefix: '_INBOX_turing' },
      authority: { transport: 'http', httpUrl: 'http://authority:3000', serviceToken: 'svc' },
      adminToken: 'adm',
      operatorKey: 'opk',
      maxUnknownTokens: 13,
      authorityResolveRate: 14,
      enabled: false,
      maxDecisions: 5,
      maxIdentities: 6,
      softTtlMs: 7,
      hardTtlMs: 8,
      negativeTtlMs: 3,
      maxStalenessMs: 9,
      checkpointIntervalMs: 100,
      degradedPolicy: 'fail-closed',
      consistencyWaitMs: 10,
      rebuildConcurrency: 11,
      rebuildTopN: 12,
      maxTagRevisions: 15,
      resourceSegments: 2,
      snapshotPath: '/tmp/snap.json',
      snapshotIntervalMs: 1000,
    });
  });

  it.each([
    [{ AUTHZ_TRANSPORT: 'grpc' }, 'AUTHZ_TRANSPORT', 'nats|http'],
    [{ AUTHZ_ENABLED: 'maybe' }, 'AUTHZ_ENABLED', 'true|false'],
    [{ AUTHZ_DEGRADED_POLICY: 'open' }, 'AUTHZ_DEGRADED_POLICY', 'bounded|fail-closed'],
    [{ AUTHZ_MAX_DECISIONS: '10k' }, 'AUTHZ_MAX_DECISIONS', 'integer'],
    [{ AUTHZ_SOFT_TTL_MS: '9000', AUTHZ_HARD_TTL_MS: '100' }, 'AUTHZ_SOFT_TTL_MS', 'AUTHZ_HARD_TTL_MS'],
    [{ AUTHZ_NEGATIVE_TTL_MS: '0' }, 'AUTHZ_NEGATIVE_TTL_MS', 'an integer >= 1'],
    [{ AUTHZ_NEGATIVE_TTL_MS: '700000' }, 'AUTHZ_NEGATIVE_TTL_MS', 'AUTHZ_HARD_TTL_MS'],
    [{ AUTHZ_MAX_TAG_REVISIONS: '0' }, 'AUTHZ_MAX_TAG_REVISIONS', 'an integer >= 1 (default 100 000)'],
    [{ AUTHZ_RESOURCE_SEGMENTS: '65' }, 'AUTHZ_RESOURCE_SEGMENTS', 'an integer from 0 to 64'],
    [{ AUTHZ_CHECKPOINT_MS: '-5' }, 'AUTHZ_CHECKPOINT_MS', 'an integer from 10 to 60000'],
    [{ AUTHORITY_URL: 'not a url' }, 'AUTHORITY_URL', 'http'],
    [{ NATS_USER: 'service' }, 'NATS_PASS', 'together'],
    [{ NATS_CREDS: '/x.creds', NATS_USER: 'u', NATS_PASS: 'p' }, 'NATS_CREDS', 'either'],
  ])('refuses %j naming %s and the accepted values', (env, variable, accepted) => {
    const error = configError(env);
    expect(error.option).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(accepted);
  });

  it.each(integerRows)('refuses %s below and above its range, naming the variable', (_path, spec) => {
    const low = configError({ [spec.env as string]: String((spec.min as number) - 1) });
    expect(low.option).toBe(spec.env);
    expect(low.message).toContain(`${spec.env} must be an integer`);
    if (spec.max !== undefined) expect(configError({ [spec.env as string]: String(spec.max + 1) }).option).toBe(spec.env);
  });

  it('needs a service name from SERVICE_NAME or the defaults', () => {
    expect(() => authzOptionsFromEnv({ IAM_DEV_MODE: '1' })).toThrow(/SERVICE_NAME/);
  });
});
