import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { NatsServerProcess, renderNatsServerConfig } from '@iam/local-nats';
import type { StartedTestContainer } from 'testcontainers';
import { natsTestRuntime, NatsTestRuntime } from './container-runtime';
import { freeze } from './freeze';
import { freePort } from './ports';
import { scratchDir } from './scratch';

/**
 * The NATS users of docker/nats/auth.conf (docs/architecture.md#security). `service`
 * is the role of a generic consumer service in the older suites: it logs in
 * as `turing`.
 */
export type NatsRole = 'authority' | 'turing' | 'merlin' | 'operator' | 'service';

/** The auth.conf users. */
export type NatsUser = Exclude<NatsRole, 'service'>;

/** The user a role logs in as. */
export function natsUserOf(role: NatsRole): NatsUser {
  return role === 'service' ? 'turing' : role;
}

/** The inbox prefix auth.conf lets `role`'s user subscribe under (`_INBOX_<user>`). */
export function natsInboxPrefixOf(role: NatsRole): string {
  return `_INBOX_${natsUserOf(role)}`;
}

/** The permissions file every server config includes; `auth: true` servers use it verbatim. */
export const NATS_AUTH_CONF = resolve(__dirname, '..', '..', 'docker', 'nats', 'auth.conf');

// Letters first, hex after: nats-server parses a $VAR value as a config token, so a leading digit would make it a number.
const generated = (): string => `pw${randomBytes(18).toString('hex')}`;

/** Passwords the harness gives each auth.conf user, generated once per test process (`service`: turing's). */
export const TEST_NATS_PASSWORDS: Readonly<Record<NatsRole, string>> = (() => {
  const users = { authority: generated(), turing: generated(), merlin: generated(), operator: generated() };
  return { ...users, service: users.turing };
})();

/** The server environment auth.conf reads its passwords from. */
export const TEST_NATS_PASSWORD_ENV: Readonly<Record<string, string>> = {
  NATS_AUTHORITY_PASSWORD: TEST_NATS_PASSWORDS.authority,
  NATS_TURING_PASSWORD: TEST_NATS_PASSWORDS.turing,
  NATS_MERLIN_PASSWORD: TEST_NATS_PASSWORDS.merlin,
  NATS_OPERATOR_PASSWORD: TEST_NATS_PASSWORDS.operator,
};

/** Options of {@link startNatsServer}. */
export interface StartNatsServerOptions {
  /** Run with docker/nats/auth.conf: every client must log in as one of its users. Default false. */
  auth?: boolean;
}

/** A NATS JetStream server owned by one test suite. */
export interface NatsTestServer {
  /** Client URL, e.g. `nats://127.0.0.1:41234`. */
  readonly url: string;
  /** Client port on the host; the same after {@link restart}. */
  readonly port: number;
  /** Whether clients must authenticate (auth.conf). */
  readonly auth: boolean;
  /** Where it runs. */
  readonly runtime: NatsTestRuntime;
  /** Graceful stop (SIGTERM); storage is kept. */
  stop(): Promise<void>;
  /** Crash (SIGKILL); storage is kept. */
  kill(): Promise<void>;
  /** Stops it if running, then starts it again on the same port with the same storage. */
  restart(): Promise<void>;
  /**
   * Freezes it (SIGSTOP; `docker pause` for a container): sockets stay
   * open, nothing is answered, clients see silence rather than a disconnect.
   * {@link stop}, {@link kill}, {@link restart} and {@link dispose} thaw it first.
   */
  pause(): Promise<void>;
  /** Thaws it after {@link pause} (SIGCONT; `docker unpause`). */
  resume(): Promise<void>;
  /** Stops it and deletes its storage. Call in afterAll; safe to call twice. */
  dispose(): Promise<void>;
  /**
   * nats.js connection options: the server, quick reconnects (tests restart
   * servers), and with auth the user and password of `role` (default
   * 'authority', the only role that may provision the stream).
   */
  connectOptions(role?: NatsRole): ConnectionOptions;
  /** Environment for an app started as a child process: NATS_URL, plus NATS_USER/NATS_PASS/NATS_INBOX_PREFIX with auth. */
  env(role?: NatsRole): Record<string, string>;
  /** The cache module's `nats` options for `role` (servers, and with auth user, pass and inbox prefix). */
  cacheNatsOptions(role?: NatsRole): { servers: string[]; user?: string; pass?: string; inboxPrefix?: string };
}

/**
 * Starts a fresh NATS server with JetStream on a free loopback port and
 * temporary storage: in a container (`nats:2.10-alpine`) when a container
 * runtime answers, else the local `nats-server` binary. Same behaviour and
 * API either way.
 */
export async function startNatsServer(options: StartNatsServerOptions = {}): Promise<NatsTestServer> {
  const auth = options.auth ?? false;
  const runtime = await natsTestRuntime();
  return runtime === 'container' ? ContainerNatsTestServer.start(auth) : LocalNatsTestServer.start(auth);
}

abstract class BaseNatsTestServer implements NatsTestServer {
  abstract readonly url: string;
  abstract readonly port: number;
  abstract readonly runtime: NatsTestRuntime;

  protected constructor(readonly auth: boolean) {}

  abstract stop(): Promise<void>;
  abstract kill(): Promise<void>;
  abstract restart(): Promise<void>;
  abstract dispose(): Promise<void>;
  abstract pause(): Promise<void>;
  abstract resume(): Promise<void>;

  connectOptions(role: NatsRole = 'authority'): ConnectionOptions {
    return {
      servers: this.url,
      reconnectTimeWait: 250,
      maxReconnectAttempts: 240,
      ...(this.auth ? { user: natsUserOf(role), pass: TEST_NATS_PASSWORDS[role], inboxPrefix: natsInboxPrefixOf(role) } : {}),
    };
  }

  env(role: NatsRole = 'authority'): Record<string, string> {
    return {
      NATS_URL: this.url,
      ...(this.auth ? { NATS_USER: natsUserOf(role), NATS_PASS: TEST_NATS_PASSWORDS[role], NATS_INBOX_PREFIX: natsInboxPrefixOf(role) } : {}),
    };
  }

  cacheNatsOptions(role: NatsRole = 'service'): { servers: string[]; user?: string; pass?: string; inboxPrefix?: string } {
    return {
      servers: [this.url],
      ...(this.auth ? { user: natsUserOf(role), pass: TEST_NATS_PASSWORDS[role], inboxPrefix: natsInboxPrefixOf(role) } : {}),
    };
  }
}

let serial = 0;
function uniqueName(): string {
  serial += 1;
  return `iam-test-${process.pid}-${serial}`;
}

class LocalNatsTestServer extends BaseNatsTestServer {
  readonly runtime = 'local' as const;
  private disposed = false;
  private frozen = false;

  private constructor(
    private readonly server: NatsServerProcess,
    private readonly dataDir: string,
    auth: boolean,
  ) {
    super(auth);
  }

  static async start(auth: boolean): Promise<LocalNatsTestServer> {
    const dataDir = scratchDir('iam-nats-');
    try {
      const server = await NatsServerProcess.start({
        dataDir,
        serverName: uniqueName(),
        includeFiles: auth ? [NATS_AUTH_CONF] : [],
        env: auth ? TEST_NATS_PASSWORD_ENV : {},
      });
      return new LocalNatsTestServer(server, dataDir, auth);
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  stop(): Promise<void> {
    this.thaw();
    return this.server.stop();
  }

  kill(): Promise<void> {
    this.thaw();
    return this.server.kill();
  }

  restart(): Promise<void> {
    this.thaw();
    return this.server.restart();
  }

  async pause(): Promise<void> {
    const pid = this.server.pid;
    if (pid === undefined) throw new Error('pause(): the nats-server is not running');
    this.frozen = true;
    await freeze(pid);
  }

  async resume(): Promise<void> {
    this.thaw();
  }

  /** SIGCONT when frozen: a stopped process would ignore SIGTERM until thawed. */
  private thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    const pid = this.server.pid;
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.thaw();
    try {
      await this.server.stop(2000);
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

const CONTAINER_IMAGE = 'nats:2.10-alpine';
const CONTAINER_CONFIG_DIR = '/etc/nats';
const CONTAINER_CLIENT_PORT = 4222;
const CONTAINER_STOP_TIMEOUT_MS = 10_000;

/*
 * The container keeps its storage in its own filesystem (/data), which
 * survives docker stop/kill/start; the host port is bound explicitly so that
 * a restart keeps it (an ephemeral mapping would change).
 */
class ContainerNatsTestServer extends BaseNatsTestServer {
  readonly runtime = 'container' as const;
  private disposed = false;
  private frozen = false;

  private constructor(
    private readonly container: StartedTestContainer,
    readonly port: number,
    auth: boolean,
  ) {
    super(auth);
  }

  static async start(auth: boolean): Promise<ContainerNatsTestServer> {
    const { GenericContainer, Wait } = await import('testcontainers');
    const port = await freePort();
    const config = renderNatsServerConfig({
      host: '0.0.0.0',
      port: CONTAINER_CLIENT_PORT,
      storeDir: '/data',
      portsFileDir: '/data',
      serverName: uniqueName(),
      includes: auth ? ['auth.conf'] : [],
    });
    const files = [{ content: config, target: `${CONTAINER_CONFIG_DIR}/nats.conf` }];
    if (auth) files.push({ content: readFileSync(NATS_AUTH_CONF, 'utf8'), target: `${CONTAINER_CONFIG_DIR}/auth.conf` });
    const container = await new GenericContainer(CONTAINER_IMAGE)
      .withCopyContentToContainer(files)
      .withEnvironment(auth ? { ...TEST_NATS_PASSWORD_ENV } : {})
      .withCommand(['nats-server', '-c', `${CONTAINER_CONFIG_DIR}/nats.conf`])
      .withExposedPorts({ container: CONTAINER_CLIENT_PORT, host: port })
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .withStartupTimeout(60_000)
      .start();
    return new ContainerNatsTestServer(container, port, auth);
  }

  get url(): string {
    return `nats://${this.container.getHost()}:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.resume();
    const client = await this.runtimeClient();
    if (await this.isRunning()) await client.container.stop(client.container.getById(this.container.getId()), { timeout: CONTAINER_STOP_TIMEOUT_MS });
  }

  async kill(): Promise<void> {
    await this.resume();
    const client = await this.runtimeClient();
    if (await this.isRunning()) await client.container.getById(this.container.getId()).kill({ signal: 'SIGKILL' });
  }

  async pause(): Promise<void> {
    const client = await this.runtimeClient();
    await client.container.getById(this.container.getId()).pause();
    this.frozen = true;
  }

  async resume(): Promise<void> {
    if (!this.frozen) return;
    const client = await this.runtimeClient();
    await client.container.getById(this.container.getId()).unpause();
    this.frozen = false;
  }

  async restart(): Promise<void> {
    await this.stop();
    // Starts the stopped container again (same filesystem, same port binding) and re-runs the wait strategy.
    await this.container.restart();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.resume().catch(() => undefined);
    await this.container.stop({ remove: true, removeVolumes: true, timeout: 2000 });
  }

  private async runtimeClient() {
    const { getContainerRuntimeClient } = await import('testcontainers');
    return getContainerRuntimeClient();
  }

  private async isRunning(): Promise<boolean> {
    const client = await this.runtimeClient();
    const info = await client.container.inspect(client.container.getById(this.container.getId()));
    return info.State.Running;
  }
}
