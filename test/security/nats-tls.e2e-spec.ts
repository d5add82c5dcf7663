import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { natsSecurityConnectionOptions } from '@iam/contracts';
import { NatsServerProcess } from '@iam/local-nats';
import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { startTestAuthority } from '../support/authority';
import { iamctl } from '../e2e/support/iamctl';
import { createTestDatabase, TestDatabase } from '../support/database';
import { NatsTestServer } from '../support/nats-server';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

/** A CA and a server certificate for 127.0.0.1, made with openssl for this test only. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca-key.pem');
  const key = join(dir, 'server-key.pem');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.pem');
  const ext = join(dir, 'san.ext');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '1', '-subj', '/CN=iam-test-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '1', '-extfile', ext);
  return { ca, cert, key };
}

/*
 * Issue 9, NATS over TLS: the authority and iamctl connect to a nats-server
 * that requires TLS, trusting the CA from NATS_TLS_CA.
 */
describe('NATS over TLS (NATS_TLS_CA)', () => {
  let dir: string;
  let server: NatsServerProcess;
  let db: TestDatabase;
  let authority: RunningAuthority | undefined;
  let certs: { ca: string; cert: string; key: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iam-tls-'));
    certs = makeCertificates(dir);
    const tlsConf = join(dir, 'tls.conf');
    writeFileSync(tlsConf, `tls {\n  cert_file: "${certs.cert}"\n  key_file: "${certs.key}"\n  timeout: 5\n}\n`);
    server = await NatsServerProcess.start({ dataDir: join(dir, 'data'), serverName: `iam-tls-${process.pid}`, includeFiles: [tlsConf] });
    db = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await authority?.close();
    await db?.dispose();
    await server?.stop(2000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a client that does not trust the CA, and accepts one with NATS_TLS_CA', async () => {
    await expect(connect({ servers: server.url, reconnect: false, tls: {} })).rejects.toBeDefined();
    const nc = await connect({ servers: server.url, reconnect: false, ...natsSecurityConnectionOptions({ tls: { caFile: certs.ca } }) });
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
  });

  it('runs the authority and iamctl over TLS', async () => {
    const nats = { env: () => ({ NATS_URL: `tls://127.0.0.1:${server.port}`, NATS_TLS_CA: certs.ca }) } as unknown as NatsTestServer;
    authority = await startTestAuthority(nats, db);
    await waitFor(async () => ((await (await fetch(`${authority!.url}/health`)).json()) as { nats?: string }).nats === 'connected', {
      description: 'the authority to connect over TLS',
    });
    const status = await iamctl(['--nats', `tls://127.0.0.1:${server.port}`, '--json', 'stream', 'status'], { NATS_TLS_CA: certs.ca });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ stream: 'IAM_EVENTS' });
  });
});
