import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { NatsServerNotFoundError, NatsServerStartError } from './errors';
import { findNatsServerBinary, NATS_SERVER_FALLBACK_DIRS } from './nats-server-binary';
import { renderNatsServerConfig } from './nats-server-config';
import { killOnParentExit } from './process-safety-net';

/** Options of {@link NatsServerProcess.start}. */
export interface NatsServerProcessOptions {
  /**
   * Directory for everything the server owns: JetStream storage
   * (`jetstream/`), the generated `nats-server.conf`, its log
   * `nats-server.log` and its ports file. Created when missing. Reusing a
   * directory reopens its streams.
   */
  dataDir: string;
  /** Listen address. Default `127.0.0.1` (never exposed beyond the machine). */
  host?: string;
  /** Client port. Default: a free port chosen by the server, kept across {@link NatsServerProcess.restart}. */
  port?: number;
  /** Path of the executable. Default: `nats-server` on PATH, else /usr/sbin and friends. */
  binary?: string;
  /**
   * Config files to include (e.g. `docker/nats/auth.conf`). They are copied
   * next to the generated config, because nats-server resolves includes
   * relative to the including file and refuses absolute paths.
   */
  includeFiles?: readonly string[];
  /** Raw configuration appended to the generated file. */
  extraConfig?: string;
  /** Variables added to the server's environment, for `$VAR` references in included files. */
  env?: Readonly<Record<string, string>>;
  /** Server name. Default `local-nats`. */
  serverName?: string;
  /** How long to wait for the server to listen. Default 10 000 ms. */
  startTimeoutMs?: number;
}

const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const READY_POLL_MS = 20;
const LOG_TAIL_LINES = 20;

/**
 * A `nats-server` child process with JetStream, started from a generated
 * configuration file. Its output goes to `<dataDir>/nats-server.log`; it is
 * SIGKILLed if this process exits while it still runs.
 *
 * Readiness is the server's own ports file (`ports_file_dir`), which it
 * writes only once the client listener accepts connections, so
 * {@link NatsServerProcess.start} resolves when clients can connect and
 * JetStream state has been recovered.
 */
export class NatsServerProcess {
  /** Generated configuration file. */
  readonly configFile: string;
  /** Where the server's stdout and stderr go (appended across restarts). */
  readonly logFile: string;
  private child: ChildProcess | null = null;
  /** Resolves when the current child has exited (or never started). */
  private childExited: Promise<void> = Promise.resolve();
  private childAlive = false;
  private currentPort: number;

  private constructor(
    private readonly options: NatsServerProcessOptions,
    /** Absolute path of the executable in use. */
    readonly binary: string,
    /** Absolute data directory. */
    readonly dataDir: string,
  ) {
    this.configFile = join(dataDir, 'nats-server.conf');
    this.logFile = join(dataDir, 'nats-server.log');
    this.currentPort = options.port ?? -1;
  }

  /**
   * Starts a server and resolves once it accepts connections.
   * @throws NatsServerNotFoundError when no binary is found.
   * @throws NatsServerStartError when it exits early or is not ready in time (the server is killed).
   */
  static async start(options: NatsServerProcessOptions): Promise<NatsServerProcess> {
    const binary = options.binary ?? findNatsServerBinary();
    if (!binary) throw new NatsServerNotFoundError(NATS_SERVER_FALLBACK_DIRS);
    const server = new NatsServerProcess(options, binary, resolve(options.dataDir));
    await server.spawnAndWait();
    return server;
  }

  /** Listen address. */
  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** Client port (known once started). */
  get port(): number {
    return this.currentPort;
  }

  /** Client URL, e.g. `nats://127.0.0.1:4222`. */
  get url(): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return `nats://${host}:${this.currentPort}`;
  }

  /** OS process id while running. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Whether the process is alive. */
  get running(): boolean {
    return this.childAlive;
  }

  /**
   * Graceful stop: SIGTERM (the server flushes JetStream state), then
   * SIGKILL after `timeoutMs` (default 10 s). Storage is kept. No-op when
   * not running.
   */
  async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = this.childExited;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout(true), timeoutMs);
    });
    const late = await Promise.race([exited.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      child.kill('SIGKILL');
      await exited;
    }
    this.removePortsFiles();
  }

  /** Abrupt stop (SIGKILL), as in a crash: unflushed state is whatever reached the disk. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill('SIGKILL');
    await this.childExited;
    this.removePortsFiles();
  }

  /** Stops the server if it runs, then starts it again on the same port with the same storage. */
  async restart(): Promise<void> {
    await this.stop();
    await this.spawnAndWait();
  }

  private async spawnAndWait(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    this.removePortsFiles();
    const includes = (this.options.includeFiles ?? []).map((file) => {
      const name = basename(file);
      copyFileSync(file, join(this.dataDir, name));
      return name;
    });
    writeFileSync(
      this.configFile,
      renderNatsServerConfig({
        host: this.host,
        port: this.currentPort,
        storeDir: this.dataDir,
        portsFileDir: this.dataDir,
        serverName: this.options.serverName ?? 'local-nats',
        includes,
        extra: this.options.extraConfig,
      }),
    );
    writeFileSync(this.logFile, `--- ${new Date().toISOString()} starting ${this.binary} -c ${this.configFile}\n`, { flag: 'a' });

    const logFd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.binary, ['-c', this.configFile], {
        cwd: this.dataDir,
        env: { ...process.env, ...this.options.env },
        stdio: ['ignore', logFd, logFd],
      });
    } finally {
      // The child holds its own copy of the descriptor.
      closeSync(logFd);
    }
    this.child = child;
    this.childAlive = true;
    this.childExited = new Promise<void>((resolveExit) => {
      const settle = (): void => {
        this.childAlive = false;
        resolveExit();
      };
      child.once('exit', settle);
      // A spawn failure (e.g. ENOENT) emits 'error' and never 'exit'.
      child.once('error', () => {
        if (child.pid === undefined) settle();
      });
    });
    killOnParentExit(child);
    try {
      this.currentPort = await this.waitUntilReady(child, this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (error) {
      if (this.running) await this.kill();
      throw error;
    }
  }

  private waitUntilReady(child: ChildProcess, timeoutMs: number): Promise<number> {
    return new Promise<number>((resolveReady, rejectReady) => {
      const deadline = Date.now() + timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const fail = (reason: string): void => {
        cleanup();
        rejectReady(new NatsServerStartError(reason, this.logFile, this.logTail()));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        fail(`it exited with ${signal ?? `code ${code}`} before accepting connections`);
      const onError = (error: Error): void => fail(`could not run ${this.binary}: ${error.message}`);
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      const poll = (): void => {
        const port = child.pid === undefined ? null : this.readPortsFile(child.pid);
        if (port !== null) {
          cleanup();
          resolveReady(port);
        } else if (Date.now() > deadline) {
          fail(`not accepting connections after ${timeoutMs} ms`);
        } else {
          timer = setTimeout(poll, READY_POLL_MS);
        }
      };
      child.once('exit', onExit);
      child.once('error', onError);
      poll();
    });
  }

  /** The client port from `<exe>_<pid>.ports`, or null while it is not (fully) written. */
  private readPortsFile(pid: number): number | null {
    const file = readdirSync(this.dataDir).find((name) => name.endsWith(`_${pid}.ports`));
    if (!file) return null;
    try {
      const ports = JSON.parse(readFileSync(join(this.dataDir, file), 'utf8')) as { nats?: string[] };
      const first = ports.nats?.[0];
      return first ? Number(new URL(first).port) : null;
    } catch {
      return null;
    }
  }

  /** Ports files left by a killed server would be mistaken for readiness after a restart. */
  private removePortsFiles(): void {
    try {
      for (const name of readdirSync(this.dataDir)) {
        if (name.endsWith('.ports')) rmSync(join(this.dataDir, name), { force: true });
      }
    } catch {
      // No data directory yet: nothing to remove.
    }
  }

  private logTail(): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
    } catch {
      return '';
    }
  }
}
