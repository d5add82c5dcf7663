import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '../support/wait';

/** The compiled authority (built by the integration project's globalSetup). */
export const AUTHORITY_MAIN = join(__dirname, '..', '..', 'dist', 'apps', 'iam-authority', 'src', 'main.js');

const LISTENING = /IAM authority listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** The authority as a child process (to SIGKILL it and restart it). */
export class AuthorityProcess {
  private output = '';
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url: string | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.collect(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.collect(chunk));
    this.exit = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  }

  /** Spawns `node dist/.../main.js` with exactly `env` (plus PATH and HOME) and waits until it listens. */
  static async start(env: Record<string, string>): Promise<AuthorityProcess> {
    const child = spawn(process.execPath, [AUTHORITY_MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const authority = new AuthorityProcess(child);
    let exited = false;
    void authority.exit.then(() => (exited = true));
    try {
      await waitFor(() => exited || authority.url, { timeoutMs: 30_000, description: 'the authority to listen' });
    } catch (error) {
      await authority.kill();
      throw error;
    }
    if (!authority.url) throw new Error(`the authority exited before listening:\n${authority.output}`);
    return authority;
  }

  /** Everything it printed. */
  get logs(): string {
    return this.output;
  }

  /** Resolves when it exits. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exit;
  }

  /** SIGTERM (graceful), then waits for the exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exit;
  }

  /** SIGSTOP: frozen, as in a long GC pause or CPU throttling (sockets and database sessions stay open). */
  suspend(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGSTOP');
  }

  /** SIGCONT after {@link suspend}. */
  resume(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGCONT');
  }

  /** SIGKILL, then waits for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exit;
  }

  private collect(chunk: Buffer): void {
    this.output += chunk.toString();
    this.url ??= LISTENING.exec(this.output)?.[1] ?? null;
  }
}
