import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';

/*
 * Issue 4, acceptance 5: `npm start` then `npm run demo`. The stack runs as
 * the compiled child process `npm start` runs (dist/, built by globalSetup)
 * in a clean temporary directory, against a test nats-server; the demo runs
 * as `bin/demo.js`; Ctrl-C (SIGINT) stops the stack.
 */
const ROOT = resolve(__dirname, '..', '..');

interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { process: child, output: () => output, exited };
}

describe('npm start, then npm run demo (acceptance 5)', () => {
  let nats: NatsTestServer;
  let cwd: string;
  let stack: Child | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    cwd = mkdtempSync(join(tmpdir(), 'iam-stack-'));
  });

  afterAll(async () => {
    if (stack && stack.process.exitCode === null && stack.process.signalCode === null) {
      stack.process.kill('SIGKILL');
      await stack.exited;
    }
    await nats?.dispose();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('starts the stack, runs the demo to success, and stops on SIGINT', async () => {
    const [authorityPort, turingPort, merlinPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NATS_URL: nats.url,
      AUTHORITY_PORT: String(authorityPort),
      TURING_PORT: String(turingPort),
      MERLIN_PORT: String(merlinPort),
    };
    stack = run([join(ROOT, 'dist', 'apps', 'stack', 'src', 'main.js')], cwd, env);
    const started = stack;
    await waitFor(() => started.output().includes('IAM cache invalidation stack is running') || started.process.exitCode !== null, {
      timeoutMs: 60_000,
      description: 'the stack banner',
    });
    expect(started.output()).toContain('IAM cache invalidation stack is running');
    expect(started.output()).toContain(`turing     http://127.0.0.1:${turingPort}`);
    expect(started.output()).toContain('Admin token for local use: dev-admin-token');
    expect(started.output()).toContain('npm run demo');
    expect(existsSync(join(cwd, '.data', 'authority'))).toBe(true);

    const demo = run([join(ROOT, 'bin', 'demo.js')], ROOT, {
      PATH: process.env.PATH,
      AUTHORITY_URL: `http://127.0.0.1:${authorityPort}`,
      TURING_URL: `http://127.0.0.1:${turingPort}`,
      MERLIN_URL: `http://127.0.0.1:${merlinPort}`,
    });
    const demoCode = await demo.exited;
    const demoOutput = demo.output();
    console.log(`demo output:\n${demoOutput}`);
    expect(demoCode).toBe(0);
    expect(demoOutput).toMatch(/turing: 403 after \d+\.\d ms/);
    expect(demoOutput).toMatch(/merlin: 403 after \d+\.\d ms/);
    expect(demoOutput).toMatch(/turing: 403 denied/);
    expect(demoOutput).toContain('Demo passed.');
    expect(demoOutput).not.toMatch(/iam_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/); // the token secret is never printed

    started.process.kill('SIGINT');
    const code = await Promise.race([started.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(code).toBe(0);
    expect(started.output()).toContain('SIGINT received');
  }, 120_000);
});
