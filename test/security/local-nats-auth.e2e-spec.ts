import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { findAuthConf, generateStackNatsUsers } from '../../apps/stack/src/stack-nats-users';
import { ensureNatsServer } from '../../libs/local-nats/src/ensure-local-nats';
import { NatsServerProcess } from '../../libs/local-nats/src/nats-server-process';
import { natsErrorKind, rejectionOf } from '../support/nats-errors';
import { freePort } from '../support/ports';

jest.setTimeout(60_000);

/*
 * Issue 9: `npm start`'s local nats-server runs docker/nats/auth.conf with
 * passwords generated for the run: anonymous clients are refused, each part
 * logs in as its own user with its own inbox.
 */
describe("npm start's local nats-server with auth.conf", () => {
  let dir: string;
  let server: NatsServerProcess | null = null;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iam-local-auth-'));
  });
  afterAll(async () => {
    await server?.stop(2000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses anonymous clients and lets each generated user in', async () => {
    const users = generateStackNatsUsers();
    const authConf = findAuthConf();
    expect(authConf).toBeDefined();
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const local = await ensureNatsServer({ url, dataDir: dir, auth: { includeFiles: [authConf!], env: users.serverEnv } }, { url, host: '127.0.0.1', port });
    server = local.process;
    expect(server).not.toBeNull();

    expect(natsErrorKind(await rejectionOf(connect({ servers: url, reconnect: false })))).toBe('authorization');
    for (const user of ['authority', 'turing', 'merlin', 'operator'] as const) {
      const env = users.clientEnv(user);
      const nc = await connect({ servers: url, reconnect: false, user: env.NATS_USER, pass: env.NATS_PASS, inboxPrefix: env.NATS_INBOX_PREFIX });
      await nc.flush();
      await nc.close();
    }
  });
});
