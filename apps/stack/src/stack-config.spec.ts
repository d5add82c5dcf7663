import { stackConfigFromEnv, StackConfigError } from './stack-config';

describe('stackConfigFromEnv', () => {
  it('defaults to the usual ports, ./.data and the development tokens', () => {
    const config = stackConfigFromEnv({}, '/srv/iam');
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      natsUrlIsDefault: true,
      authorityPort: 3000,
      turingPort: 3001,
      merlinPort: 3002,
      dataRoot: '/srv/iam/.data',
      adminToken: 'dev-admin-token',
      adminTokenIsDefault: true,
    });
  });

  it('reads the stack variables', () => {
    const config = stackConfigFromEnv(
      { NATS_URL: 'nats://10.0.0.1:4222', AUTHORITY_PORT: '4000', TURING_PORT: '0', MERLIN_PORT: '4002', IAM_DATA_ROOT: '/tmp/x', IAM_ADMIN_TOKEN: 's3cret' },
      '/srv/iam',
    );
    expect(config).toMatchObject({ natsUrlIsDefault: false, authorityPort: 4000, turingPort: 0, merlinPort: 4002, dataRoot: '/tmp/x', adminTokenIsDefault: false });
  });

  it('names a bad port variable', () => {
    expect(() => stackConfigFromEnv({ TURING_PORT: 'x' })).toThrow(StackConfigError);
    expect(() => stackConfigFromEnv({ MERLIN_PORT: '99999' })).toThrow(/^MERLIN_PORT: /);
  });
});
