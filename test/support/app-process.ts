import { ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './wait';

/** What {@link AppProcess.launch} runs. */
export interface AppProcessSpec {
  /** Compiled entry point, e.g. `dist/apps/turing/src/main.js` (built by the integration project's globalSetup). */
  main: string;
  /** Matches the line the app logs once it listens; group 1 is its base URL. */
  listening: RegExp;
  /** Named in errors. */
  name: string;
  /** How long to wait for the listening line. Default 30 000 ms. */
  startTimeoutMs?: number;
}

/**
 * A compiled app (authority, turing, merlin) as a child process, so a test
 * can SIGKILL it, freeze it (SIGSTOP, as a GC pause or CPU throttling does)
 * and thaw it. Every method waits for what it asked for.
 */
export class AppProcess {
  private output = '';
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private frozen = false;
  /** Base URL, once it listens. */
  url: string | null = null;

  private constructor(
    private readonly child: ChildProcess,
    private readonly spec: AppProcessSpec,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.collect(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.collect(chunk));
    this.exit = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  }

  /** Spawns `node <main>` with exactly `env` (plus PATH and HOME) and waits until it logs that it listens. */
  static async launch(spec: AppProcessSpec, env: Record<string, string>): Promise<AppProcess> {
    const child = spawn(process.execPath, [spec.main], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(child, spec);
    let exited = false;
    void app.exit.then(() => (exited = true));
    try {
      await waitFor(() => exited || app.url, { timeoutMs: spec.startTimeoutMs ?? 30_000, description: `${spec.name} to listen` });
    } catch (error) {
      await app.kill();
      throw new Error(`${(error as Error).message}; it printed:\n${app.output.slice(-4000)}`);
    }
    if (!app.url) throw new Error(`${spec.name} exited before listening:\n${app.output}`);
    return app;
  }

  /** Everything it printed. */
  get logs(): string {
    return this.output;
  }

  /** OS process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether it has not exited yet. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves when it exits. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exit;
  }

  /** SIGSTOP: the process keeps its sockets open and does nothing until {@link resume}. */
  pause(): void {
    if (!this.running) return;
    this.child.kill('SIGSTOP');
    this.frozen = true;
  }

  /** Same as {@link pause} (the name test/authority's suites use). */
  suspend(): void {
    this.pause();
  }

  /** SIGCONT after {@link pause}. */
  resume(): void {
    if (!this.running) return;
    this.child.kill('SIGCONT');
    this.frozen = false;
  }

  /** SIGTERM (graceful; a frozen process is thawed first), then waits for the exit, SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (this.running) {
      if (this.frozen) this.resume();
      this.child.kill('SIGTERM');
    }
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      this.exit.then(() => false),
      new Promise<boolean>((resolveLate) => (timer = setTimeout(() => resolveLate(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (late) await this.kill();
  }

  /** SIGKILL (SIGCONT first, so a frozen process dies at once), then waits for the exit. */
  async kill(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGCONT');
      this.child.kill('SIGKILL');
    }
    await this.exit;
  }

  private collect(chunk: Buffer): void {
    this.output += chunk.toString();
    this.url ??= this.spec.listening.exec(this.output)?.[1] ?? null;
  }
}
