import { ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createTestDatabase, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { AuthorityApi } from './authority-harness';
import { AUTHORITY_MAIN, authorityEnv, startTestAuthority } from '../support/authority';
import { TEST_ADMIN_TOKEN } from '../support/credentials';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';

// Restarts of servers and processes take seconds, not jest's default 5; on a loaded machine a child
// authority may take up to its start wait (90 s, test/support/authority.ts), and a test starts two.
jest.setTimeout(240_000);

/** Starts main.js with `env` (plus PATH, no colours), collecting everything it prints. */
function spawnMain(env: Record<string, string>): { child: ChildProcessByStdio<null, Readable, Readable>; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [AUTHORITY_MAIN], { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, output: () => output, exited };
}

/** Runs main.js to its exit; returns the exit code and everything it printed. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const main = spawnMain(env);
  const code = await main.exited;
  return { code, output: main.output() };
}

/* main.ts: bad configuration fails start-up naming the variable; SIGTERM closes gracefully. */
describe('authority start-up and shutdown (main.js)', () => {
  let nats: NatsTestServer;
  let db: TestDatabase;

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await createTestDatabase('pglite');
  });

  afterAll(async () => {
    await db?.dispose();
    await nats?.dispose();
  });

  it.each([
    ['PORT', 'eighty'],
    ['IAM_STREAM_REPLICAS', '9'],
    ['DATABASE_URL', 'mysql://nope'],
    ['IAM_ADMIN_TOKEN', 'has a space'],
  ])('exits 1 naming %s when it is invalid, without echoing a token', async (variable, value) => {
    const { code, output } = await runToExit({ ...authorityEnv(nats, db), [variable]: value });
    expect(code).toBe(1);
    expect(output).toContain('CONFIG_INVALID');
    expect(output).toContain(variable);
    expect(output).not.toContain(TEST_ADMIN_TOKEN);
    if (variable === 'IAM_ADMIN_TOKEN') expect(output).not.toContain(`'${value}'`);
  });

  it('LOG_LEVEL=warn: it serves, and prints none of its info lines (it once ignored LOG_LEVEL)', async () => {
    const port = await freePort();
    const { child, output, exited } = spawnMain({ ...authorityEnv(nats, db), PORT: String(port), LOG_LEVEL: 'warn' });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined))?.ok === true, {
        timeoutMs: 90_000,
        description: 'the authority at LOG_LEVEL=warn to answer /health/live',
      });
    } finally {
      child.kill('SIGTERM');
    }
    // Stopped by this test whatever happens: a process that ignores SIGTERM is killed (and fails the exit code).
    const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(kill);
    expect(code).toBe(0);
    // At the default level the same start prints these (see the test below, and the stack's banner test).
    expect(output()).not.toContain('model loaded at revision');
    expect(output()).not.toContain('listening on');
    expect(output()).not.toMatch(/\bLOG\b/);
  });

  it('closes gracefully on SIGTERM (exit 0) and keeps its data for the next start', async () => {
    const first = await startTestAuthority(nats, db, { childProcess: true });
    try {
      await new AuthorityApi(first.url!).ok('POST', '/v1/principals', { id: 'sa:survivor' });
    } finally {
      await first.stop();
    }
    expect((await first.exited()).code).toBe(0);
    expect(first.logs).not.toContain(TEST_ADMIN_TOKEN);
    expect(first.logs).toContain('model loaded at revision');
    const second = await startTestAuthority(nats, db, { childProcess: true });
    try {
      expect(await new AuthorityApi(second.url!).ok('GET', '/v1/principals/sa:survivor')).toMatchObject({ id: 'sa:survivor' });
    } finally {
      await second.stop();
    }
  });
});
