import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { AuthorityAdminClient } from '../../../apps/iamctl/src/clients/authority-admin-client';
import { AppProcess, AppProcessSpec } from '../../support/app-process';
import { startTestAuthority } from '../../support/authority';
import { TEST_ADMIN_TOKEN, TEST_CACHE_ADMIN_TOKEN, TEST_OPERATOR_KEY, TEST_SERVICE_TOKEN } from '../../support/credentials';
import { createTestDatabase, DatabaseKind, TestDatabase } from '../../support/database';
import { request } from '../../support/http';
import { NatsTestServer, startNatsServer } from '../../support/nats-server';
import { waitFor } from '../../support/wait';
import { NatsTestCluster } from './nats-cluster';

/** Start-up of one app on a loaded machine (PGlite's first open alone can take seconds). */
const START_TIMEOUT_MS = 90_000;

/** The compiled turing (built by the integration project's globalSetup). */
export const TURING_PROCESS: AppProcessSpec = {
  main: join(__dirname, '..', '..', '..', 'dist', 'apps', 'turing', 'src', 'main.js'),
  listening: /turing listening on (http:\/\/127\.0\.0\.1:\d+)/,
  name: 'turing',
  startTimeoutMs: START_TIMEOUT_MS,
};

/**
 * maxStalenessMs the fault suites give every consumer (AUTHZ_MAX_STALENESS_MS):
 * short, so that tests stay short, and every fault lasts longer than it.
 */
export const FAULT_MAX_STALENESS_MS = 2000;

/** The cache module's default per-call authority timeout (AUTHZ_DEFAULTS.timeoutMs; not an env variable). */
export const AUTHORITY_TIMEOUT_MS = 2000;

/** Options of {@link FaultSystem.start}. */
export interface FaultSystemOptions {
  /** 'single' (default): one nats-server; 'cluster': 3 nodes and an R3 stream. */
  nats?: 'single' | 'cluster';
  /** Database of the authority; default 'pglite'. Two authority replicas need 'postgres'. */
  database?: DatabaseKind;
  /** Authority replicas (child processes on one database). Default 1. */
  authorities?: number;
  /** Turing replicas (child processes). Default 2. */
  turings?: number;
  /** Extra environment for every authority. */
  authorityEnv?: Record<string, string>;
  /** Extra environment for every turing (AUTHZ_*). */
  consumerEnv?: Record<string, string>;
}

/**
 * The real system as separate processes, for faults that need signals:
 * nats-server (one, or a 3-node cluster), the compiled authority (one or
 * more replicas on one database) and N compiled turing replicas, plus a
 * bare NATS connection of the test (no auth: it can purge, delete and forge,
 * as any client of an open server can). `dispose()` stops everything (thawing
 * frozen processes first), even after a failed start.
 */
export class FaultSystem {
  readonly authorities: AppProcess[] = [];
  readonly turings: AppProcess[] = [];
  admin!: AuthorityAdminClient;
  /** The test's own connection (bare client, no auth). */
  nc!: NatsConnection;
  private readonly databases: TestDatabase[] = [];

  private constructor(
    readonly options: FaultSystemOptions,
    /** The single server (nats 'single'). */
    readonly server: NatsTestServer | undefined,
    /** The cluster (nats 'cluster'). */
    readonly cluster: NatsTestCluster | undefined,
  ) {}

  static async start(options: FaultSystemOptions = {}): Promise<FaultSystem> {
    const clustered = options.nats === 'cluster';
    const server = clustered ? undefined : await startNatsServer();
    let cluster: NatsTestCluster | undefined;
    try {
      cluster = clustered ? await NatsTestCluster.start() : undefined;
    } catch (error) {
      await server?.dispose();
      throw error;
    }
    const system = new FaultSystem(options, server, cluster);
    try {
      system.nc = await connect({ ...system.natsConnectOptions(), name: 'fault-suite' });
      const db = await createTestDatabase(options.database ?? 'pglite');
      system.databases.push(db);
      for (let i = 0; i < (options.authorities ?? 1); i++) await system.startAuthority();
      system.admin = new AuthorityAdminClient(system.authorities[0].url!, TEST_ADMIN_TOKEN);
      await system.waitForStream();
      await Promise.all(Array.from({ length: options.turings ?? 2 }, () => system.startTuring()));
      await system.waitFresh();
      return system;
    } catch (error) {
      await system.dispose();
      throw error;
    }
  }

  /** NATS_URL for apps: one URL, or the cluster's comma-separated list. */
  get natsUrl(): string {
    return this.cluster ? this.cluster.url : this.server!.url;
  }

  natsConnectOptions() {
    return this.cluster ? this.cluster.connectOptions() : { ...this.server!.connectOptions(), maxReconnectAttempts: -1 };
  }

  consumerEnv(): Record<string, string> {
    return {
      PORT: '0',
      HOST: '127.0.0.1',
      NATS_URL: this.natsUrl,
      AUTHORITY_URL: this.authorities[0].url!,
      AUTHZ_ADMIN_TOKEN: TEST_CACHE_ADMIN_TOKEN,
      IAM_OPERATOR_KEY: TEST_OPERATOR_KEY,
      IAM_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
      AUTHZ_MAX_STALENESS_MS: String(FAULT_MAX_STALENESS_MS),
      ...this.options.consumerEnv,
    };
  }

  /** Starts one more authority replica on the same database (also used to restart one). */
  async startAuthority(): Promise<AppProcess> {
    // No dev mode in the fault suites (production-shaped secrets); more patience than elsewhere (the suites run next to each other on two cores).
    const authority = await startTestAuthority(this.natsUrl, this.databases[0], {
      childProcess: true,
      devMode: false,
      startTimeoutMs: START_TIMEOUT_MS,
      env: { ...(this.cluster ? { IAM_STREAM_REPLICAS: '3' } : {}), ...this.options.authorityEnv },
    });
    this.authorities.push(authority);
    return authority;
  }

  /** Starts one more turing replica. */
  async startTuring(): Promise<AppProcess> {
    const slot = this.turings.length;
    this.turings.length += 1;
    const turing = await AppProcess.launch(TURING_PROCESS, this.consumerEnv());
    // In start order, so that turing#N names the same process throughout a test.
    this.turings[slot] = turing;
    return turing;
  }

  /** Waits until the authority's relay has provisioned IAM_EVENTS. */
  async waitForStream(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await jetstreamManager(this.nc)).streams.info('IAM_EVENTS'), {
      timeoutMs,
      intervalMs: 100,
      description: 'the authority to provision IAM_EVENTS',
    });
  }

  /** Waits until every running turing reports live and not degraded (/health). */
  async waitFresh(timeoutMs = 30_000, turings: AppProcess[] = this.turings.filter((t) => t.running)): Promise<void> {
    await Promise.all(
      turings.map(async (turing) => {
        let last: HealthAnswer | undefined;
        try {
          await waitFor(async () => isFresh((last = await health(turing))), { timeoutMs, intervalMs: 50, description: `${turing.url} to be live and fresh` });
        } catch (error) {
          throw new Error(`${(error as Error).message}; its last /health: ${last?.status} ${JSON.stringify(last?.body)}\n${await this.diagnostics()}`);
        }
      }),
    );
  }

  /** The authorities' /health and the last lines every process printed: what a failed wait needs to be diagnosed. */
  async diagnostics(lines = 15): Promise<string> {
    const out: string[] = [];
    for (const [i, authority] of this.authorities.entries()) {
      if (!authority) continue;
      const answer = await request(`${authority.url}/health`, { timeoutMs: 2000 })
        .then((r) => `${r.status} ${r.text}`)
        .catch((error: unknown) => `no answer (${(error as Error).message})`);
      out.push(`authority#${i + 1} /health: ${answer}`, tail(authority.logs, lines));
    }
    for (const [i, turing] of this.turings.entries()) if (turing) out.push(`turing#${i + 1} log:`, tail(turing.logs, lines));
    return out.join('\n');
  }

  /** Stops every process (thawing frozen ones first), closes the connection, drops the database, stops NATS. */
  async dispose(): Promise<void> {
    await Promise.allSettled([...this.turings, ...this.authorities].filter(Boolean).map((app) => app.stop(5000)));
    await this.nc?.close().catch(() => undefined);
    await Promise.allSettled(this.databases.map((db) => db.dispose()));
    await this.server?.dispose();
    await this.cluster?.dispose();
  }
}

/** A turing's /health answer. */
export interface HealthAnswer {
  status: number;
  body: { live?: boolean; degraded?: boolean; degradedReason?: string; appliedSequence?: number; instanceId?: string } | undefined;
}

/** GET /health (never throws: a frozen or dead process is `status: 0`). */
export async function health(app: AppProcess, timeoutMs = 2000): Promise<HealthAnswer> {
  try {
    const response = await request<HealthAnswer['body']>(`${app.url}/health`, { timeoutMs });
    return { status: response.status, body: response.json };
  } catch {
    return { status: 0, body: undefined };
  }
}

/** Live and not degraded. */
export function isFresh(answer: HealthAnswer): boolean {
  return answer.status === 200 && answer.body?.live === true && answer.body?.degraded === false;
}

/** GET /admin/cache/stats of a turing (admin token). */
export async function cacheStats(app: AppProcess): Promise<{ cache: { hits: number; misses: number; staleHits: number; guardRejections: number; appliedRevision: number } } & Record<string, unknown>> {
  const response = await request(`${app.url}/admin/cache/stats`, { headers: { authorization: `Bearer ${TEST_CACHE_ADMIN_TOKEN}` }, timeoutMs: 5000 });
  if (response.status !== 200) throw new Error(`GET /admin/cache/stats -> ${response.status}`);
  return response.json as never;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).map((line) => `    ${line}`).join('\n');
}
