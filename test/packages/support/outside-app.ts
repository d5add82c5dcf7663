import { ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root (the npm workspace root). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** The consumer app every outside install runs (plain CommonJS). */
const APP_MAIN = resolve(__dirname, '..', 'outside-app', 'main.js');

/** A packed workspace package, as `npm pack --json` describes it. */
export interface PackedPackage {
  name: string;
  version: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the tarball, e.g. `dist/index.d.ts`. */
  files: string[];
}

/**
 * The environment for npm and the apps: this process's, without what an
 * enclosing `npm test` or jest put there (npm_* settings would make a nested
 * npm act on this workspace; NODE_OPTIONS carries jest's VM flags).
 */
export function outsideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'NODE_OPTIONS' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Commands of {@link run} still running. */
const runningCommands = new Set<ChildProcess>();

/** Kills the commands of {@link run} still running (a hook that timed out leaves npm behind). Call in afterAll. */
export function killRunningCommands(): void {
  for (const child of runningCommands) child.kill('SIGKILL');
  runningCommands.clear();
}

/** Runs a command to its end; rejects with its output when it fails. */
export function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(command, args, { cwd, env: outsideEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    runningCommands.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', rejectRun);
    child.once('exit', (code, signal) => {
      runningCommands.delete(child);
      if (code === 0) resolveRun(stdout);
      else rejectRun(new Error(`${command} ${args.join(' ')} (in ${cwd}) failed (${signal ?? code}):\n${stdout}\n${stderr}`));
    });
  });
}

/** `npm pack` of workspace packages into `destination` (their prepack builds them first). */
export async function packWorkspaces(names: string[], destination: string): Promise<PackedPackage[]> {
  const args = ['pack', '--json', '--pack-destination', destination, ...names.flatMap((name) => ['--workspace', name])];
  const packed = JSON.parse(jsonPart(await run('npm', args, REPO_ROOT))) as Array<{ name: string; version: string; filename: string; files: Array<{ path: string }> }>;
  return packed.map((p) => ({ name: p.name, version: p.version, tarball: join(destination, p.filename), files: p.files.map((f) => f.path) }));
}

/** npm pack prints its lifecycle scripts' output before the JSON; keep the JSON. */
function jsonPart(output: string): string {
  const start = output.indexOf('[\n');
  return start >= 0 ? output.slice(start) : output;
}

/** The exact version of a package installed in the workspace (so the outside install hits the npm cache). */
export function workspaceVersion(name: string): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Creates a Nest app in `dir` (a directory outside the repository): its
 * package.json depends on the tarballs and on `dependencies`, `npm install`
 * runs (offline first: from the npm cache where it can), and main.js is the
 * consumer app of outside-app/main.js.
 */
export async function installOutsideApp(dir: string, tarballs: PackedPackage[], dependencies: Record<string, string>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const packageJson = {
    name: 'outside-app',
    version: '1.0.0',
    private: true,
    dependencies: { ...Object.fromEntries(tarballs.map((t) => [t.name, `file:${t.tarball}`])), ...dependencies },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  copyFileSync(APP_MAIN, join(dir, 'main.js'));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
}

/** A running outside app. */
export interface OutsideApp {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** `@nestjs/core` version the app runs on. */
  readonly nest: string;
  /** The HTTP adapter it runs on. */
  readonly adapter: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts `node main.js` in `dir` and waits for the line saying where it listens. */
export async function startOutsideApp(dir: string, env: Record<string, string>): Promise<OutsideApp> {
  const child = spawn(process.execPath, ['main.js'], { cwd: dir, env: outsideEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = stopper(child);
  try {
    const started = await new Promise<{ port: number; nest: string; adapter: string }>((resolveStart, rejectStart) => {
      const timer = setTimeout(() => rejectStart(new Error(`the outside app in ${dir} did not start within 60 s:\n${stderr}`)), 60_000);
      const lines = createInterface({ input: child.stdout! });
      // Log lines (Nest's logger writes warnings to stdout) may come first: the app's own line is JSON with its port.
      const onLine = (line: string): void => {
        let parsed: { port?: unknown; nest: string; adapter: string } | undefined;
        try {
          parsed = JSON.parse(line) as { port?: unknown; nest: string; adapter: string };
        } catch {
          return;
        }
        if (typeof parsed?.port !== 'number') return;
        clearTimeout(timer);
        lines.off('line', onLine);
        resolveStart(parsed as { port: number; nest: string; adapter: string });
      };
      lines.on('line', onLine);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        rejectStart(new Error(`the outside app in ${dir} exited (${signal ?? code}) before listening:\n${stderr}`));
      });
    });
    return { url: `http://127.0.0.1:${started.port}`, nest: started.nest, adapter: started.adapter, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit();
    else child.once('exit', () => resolveExit());
  });
  let stopping: Promise<void> | null = null;
  return () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    })());
}
