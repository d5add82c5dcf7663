import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { RPC_SERVICE, RPC_SUBJECTS } from '@iam/contracts';
import type { DiscoveredService } from '../../apps/iamctl/src/commands/services';
import { rpc, useAuthoritySuite } from '../authority/authority-harness';
import { iamctl } from '../e2e/support/iamctl';
import { TEST_OPERATOR_KEY, TEST_SERVICE_TOKEN } from '../support/credentials';

jest.setTimeout(60_000);

describe('iamctl services (NATS service discovery)', () => {
  const suite = useAuthoritySuite('pglite', { nats: { auth: true } });
  let client: NatsConnection;

  beforeAll(async () => {
    client = await connect(suite.nats.connectOptions('turing'));
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
  });

  /** iamctl as the operator user (auth.conf), as an operator would run it. */
  const run = (argv: string[]) => iamctl(argv, { IAM_OPERATOR_KEY: TEST_OPERATOR_KEY, ...suite.nats.env('operator') });

  it('lists the authority with its endpoints and counts requests and errors (--json)', async () => {
    await rpc(client, RPC_SUBJECTS.check, { serviceToken: TEST_SERVICE_TOKEN, principal: 'user:nobody@example.com', action: 'routers.read', resource: 'projects:1' });
    await rpc(client, RPC_SUBJECTS.check, { serviceToken: 'wrong', principal: 'user:nobody@example.com', action: 'routers.read', resource: 'projects:1' });
    await rpc(client, RPC_SUBJECTS.resolveIdentity, { serviceToken: TEST_SERVICE_TOKEN, token: 'iam_0123456789abcdef_short' });

    const result = await run(['services', '--json', '--wait', '3000']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { services } = JSON.parse(result.stdout) as { services: DiscoveredService[] };
    expect(services).toHaveLength(1);
    const [authority] = services;
    expect(authority).toMatchObject({ name: RPC_SERVICE.name, version: RPC_SERVICE.version, id: expect.any(String), started: expect.any(String) });
    const check = authority.endpoints.find((endpoint) => endpoint.name === 'check')!;
    const resolve = authority.endpoints.find((endpoint) => endpoint.name === 'identity-resolve')!;
    expect(check).toMatchObject({ subject: RPC_SUBJECTS.check, queueGroup: 'iam-authority', requests: 2, errors: 1 });
    expect(resolve).toMatchObject({ subject: RPC_SUBJECTS.resolveIdentity, requests: 1, errors: 1 });
    expect(check.processingMs).toBeGreaterThan(0);
  });

  it('prints a table by default, filters by --name, and exits 1 when nothing answers', async () => {
    const table = await run(['services', '--name', RPC_SERVICE.name]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SERVICE\s+ID\s+VERSION\s+ENDPOINT\s+SUBJECT\s+QUEUE\s+REQUESTS\s+ERRORS\s+AVG MS\s+TOTAL MS$/);
    expect(lines.slice(2).map((line) => line.split(/\s+/)[3]).sort()).toEqual(['check', 'identity-resolve']);

    const none = await run(['services', '--name', 'no-such-service', '--wait', '500']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no NATS service named no-such-service answered/);
  });
});
