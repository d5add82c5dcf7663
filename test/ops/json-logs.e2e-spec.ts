import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { authorityEnv } from '../support/authority';
import { TEST_ADMIN_TOKEN, TEST_CACHE_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from '../support/credentials';
import { createTestDatabase, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer, TEST_NATS_PASSWORDS } from '../support/nats-server';
import { waitFor } from '../support/wait';

jest.setTimeout(240_000);

const DIST = join(__dirname, '..', '..', 'dist', 'apps');

/** An app's compiled main.js as a child process; every stdout/stderr line kept. */
class AppProcess {
  readonly lines: string[] = [];
  private partial = '';
  private readonly exit: Promise<unknown>;
  private exited = false;

  constructor(
    readonly app: string,
    private readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts.filter((line) => line !== ''));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exit = new Promise((resolveExit) => child.once('exit', resolveExit));
    void this.exit.then(() => (this.exited = true));
  }

  static start(app: string, env: Record<string, string>): AppProcess {
    const child = spawn(process.execPath, [join(DIST, app, 'src', 'main.js')], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(app, child);
  }

  /** The URL from the JSON "listening on" line (fails with what it printed if it exits first). */
  async listening(): Promise<string> {
    const url = () => this.lines.map((line) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1]).find(Boolean);
    // Generous: a loaded CI machine starts a Nest app slowly; only an exit or silence fails.
    await waitFor(() => this.exited || url(), { timeoutMs: 90_000, description: `${this.app} to listen` }).catch((error: Error) => {
      throw new Error(`${error.message}; it printed:\n${this.lines.join('\n')}`);
    });
    const found = url();
    if (!found) throw new Error(`${this.app} exited before listening; it printed:\n${this.lines.join('\n')}`);
    return found;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exit;
  }
}

/*
 * LOG_FORMAT=json on every app, as deployed: the compiled apps as child
 * processes (nothing of jest in between), NATS with passwords, tokens set.
 * Every line they print is one JSON object with time, level, context and
 * message, without colour codes or any secret of their environment.
 */
describe('LOG_FORMAT=json on every app', () => {
  let nats: NatsTestServer;
  let db: TestDatabase;
  const processes: AppProcess[] = [];

  beforeAll(async () => {
    nats = await startNatsServer({ auth: true });
    db = await createTestDatabase('pglite');
    const common = { LOG_FORMAT: 'json', LOG_LEVEL: 'log', HOST: '127.0.0.1', PORT: '0', IAM_DEV_MODE: '1', IAM_SERVICE_TOKEN: TEST_SERVICE_TOKEN, FORCE_COLOR: '1' };
    const authority = AppProcess.start('iam-authority', authorityEnv(nats, db, { env: common }));
    processes.push(authority);
    const authorityUrl = await authority.listening();
    for (const app of ['turing', 'merlin'] as const) {
      // A consumer holds its own cache-admin token, never the authority's.
      const consumer = AppProcess.start(app, { ...common, AUTHZ_ADMIN_TOKEN: TEST_CACHE_ADMIN_TOKEN, ...nats.env(app), AUTHORITY_URL: authorityUrl });
      processes.push(consumer);
      const url = await consumer.listening();
      // A rejected request and a readiness probe also log nothing but JSON.
      await fetch(`${url}/v1/projects/p/routers`, { headers: { authorization: 'Bearer not-a-token' } });
      await waitFor(async () => (await fetch(`${url}/health/ready`)).ok, { timeoutMs: 20_000, description: `${app} to be ready` });
    }
    // Shutdown lines count too.
    for (const running of [...processes].reverse()) await running.stop();
  });
  afterAll(async () => {
    await Promise.allSettled(processes.map((running) => running.stop()));
    await db?.dispose();
    await nats?.dispose();
  });

  it.each(['iam-authority', 'turing', 'merlin'])('%s prints one JSON object per line with time, level, context, message', (app) => {
    const { lines } = processes.find((running) => running.app === app)!;
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`${app} printed a line that is not JSON: ${line}`);
      }
      expect(Object.keys(entry).slice(0, 4)).toEqual(['time', 'level', 'context', 'message']);
      expect(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).toContain(entry.level);
      expect(Number.isNaN(Date.parse(entry.time as string))).toBe(false);
      expect(line).not.toMatch(/\u001b\[/);
    }
    expect(lines.some((line) => /listening on/.test(line))).toBe(true);
  });

  it('no line carries a token or a NATS password', () => {
    const all = processes.flatMap((running) => running.lines).join('\n');
    for (const secret of [TEST_ADMIN_TOKEN, TEST_SERVICE_TOKEN, ...Object.values(TEST_NATS_PASSWORDS)]) expect(all).not.toContain(secret);
  });
});
