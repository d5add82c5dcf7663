import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort } from '../../../test/support/ports';
import { waitFor } from '../../../test/support/wait';
import { ensureNatsServer } from './ensure-local-nats';
import { NatsServerStartError } from './errors';
import { NatsServerProcess } from './nats-server-process';

// Starting and stopping real servers takes longer than jest's default 5 s on a busy machine.
jest.setTimeout(60_000);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('NatsServerProcess (real nats-server)', () => {
  let dataDir: string;
  const servers: NatsServerProcess[] = [];
  const connections: NatsConnection[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-nats-'));
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
    await Promise.all(servers.splice(0).map((server) => server.kill()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(options: Partial<Parameters<typeof NatsServerProcess.start>[0]> = {}): Promise<NatsServerProcess> {
    const server = await NatsServerProcess.start({ dataDir, ...options });
    servers.push(server);
    return server;
  }

  it('accepts JetStream clients once started, on a port it chose itself', async () => {
    const server = await start();
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    const nc = await connect({ servers: server.url });
    connections.push(nc);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'S', subjects: ['s.>'], storage: StorageType.File });
    await jetstream(nc).publish('s.one', 'hello');
    expect((await jsm.streams.info('S')).state.messages).toBe(1);
    expect(readFileSync(server.logFile, 'utf8')).toContain('Server is ready');
  });

  it('keeps the port and the stream data across kill and restart', async () => {
    const server = await start();
    const { port } = server;
    const firstPid = server.pid;
    let nc = await connect({ servers: server.url });
    await (await jetstreamManager(nc)).streams.add({ name: 'S', subjects: ['s.>'], storage: StorageType.File });
    await jetstream(nc).publish('s.one', 'kept');
    await nc.close();

    await server.kill();
    expect(server.running).toBe(false);
    expect(isAlive(firstPid!)).toBe(false);

    await server.restart();
    expect(server.port).toBe(port);
    expect(server.pid).not.toBe(firstPid);
    nc = await connect({ servers: server.url });
    connections.push(nc);
    const msg = await (await jetstreamManager(nc)).streams.getMessage('S', { seq: 1 });
    expect(msg?.string()).toBe('kept');
  });

  it('stops gracefully on stop(), and restarts after it', async () => {
    const server = await start();
    const pid = server.pid!;
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    expect(readFileSync(server.logFile, 'utf8')).toContain('Server Exiting');
    await server.restart();
    expect(server.running).toBe(true);
  });

  it('reports a server that cannot start with its log, and leaves nothing running', async () => {
    const attempt = start({ extraConfig: 'this is { not valid' });
    await expect(attempt).rejects.toBeInstanceOf(NatsServerStartError);
    await expect(attempt).rejects.toMatchObject({ code: 'NATS_SERVER_START_FAILED' });
    await expect(attempt).rejects.toThrow(/exited/);
  });

  it('refuses a port that is already taken', async () => {
    const first = await start();
    const otherDir = mkdtempSync(join(tmpdir(), 'local-nats-'));
    try {
      await expect(NatsServerProcess.start({ dataDir: otherDir, port: first.port })).rejects.toBeInstanceOf(NatsServerStartError);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('fails with a typed error when the binary cannot be run', async () => {
    await expect(start({ binary: join(dataDir, 'no-such-nats-server') })).rejects.toBeInstanceOf(NatsServerStartError);
  });

  it('never outlives the process that started it', async () => {
    // libs/local-nats/dist/ is built by the integration project's globalSetup.
    const lib = resolve(__dirname, '../dist/index.js');
    const script = `require(${JSON.stringify(lib)}).NatsServerProcess.start({ dataDir: ${JSON.stringify(dataDir)} })
      .then((s) => { process.stdout.write(String(s.pid)); process.exit(0); }, (e) => { console.error(e); process.exit(1); });`;
    const pid = Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
    expect(pid).toBeGreaterThan(0);
    try {
      await waitFor(() => !isAlive(pid), { timeoutMs: 5000, description: `nats-server ${pid} to die with its parent` });
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});

describe('ensureLocalNats (real nats-server, on a free port instead of 4222)', () => {
  let dataDir: string;
  const started: NatsServerProcess[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ensure-nats-'));
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts a JetStream server when nothing answers at the default URL, and says so', async () => {
    const port = await freePort();
    const target = { url: `nats://127.0.0.1:${port}`, host: '127.0.0.1', port };
    const messages: string[] = [];
    const local = await ensureNatsServer({ dataDir, logger: { log: (m) => messages.push(m) } }, target);
    expect(local.process).not.toBeNull();
    started.push(local.process!);
    expect(local.url).toBe(target.url);
    expect(messages.join('\n')).toMatch(/started a local nats-server/);
    expect(existsSync(join(dataDir, 'jetstream'))).toBe(true);

    const nc = await connect({ servers: local.url });
    try {
      await expect(jetstreamManager(nc)).resolves.toBeDefined();
    } finally {
      await nc.close();
    }

    // A second app finds it running and starts nothing.
    const again = await ensureNatsServer({ dataDir: join(dataDir, 'other') }, target);
    expect(again.process).toBeNull();
  });
});
