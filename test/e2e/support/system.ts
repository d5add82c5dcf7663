import { startTestAuthority } from '../../support/authority';
import { TEST_ADMIN_TOKEN, TEST_CACHE_ADMIN_TOKEN, TEST_OPERATOR_KEY, TEST_SERVICE_TOKEN } from '../../support/credentials';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { NatsTestServer, startNatsServer } from '../../support/nats-server';
import { startMerlin } from '../../../apps/merlin/src/bootstrap';
import { startTuring } from '../../../apps/turing/src/bootstrap';
import { AuthorityAdminClient } from '../../../apps/iamctl/src/clients/authority-admin-client';

/** A running app as the bootstrap functions return it. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** Options of {@link startSystem}. */
export interface SystemOptions {
  turingReplicas?: number;
  merlinReplicas?: number;
  /** NATS with docker/nats/auth.conf (each app logs in as its role). */
  natsAuth?: boolean;
  /** Extra environment for every consumer (AUTHZ_* options). */
  consumerEnv?: Record<string, string>;
  /** Extra environment for merlin only. */
  merlinEnv?: Record<string, string>;
}

/**
 * The real system for a suite: a nats-server of its own, a fresh database,
 * the authority, N turing and M merlin replicas, all in this process through
 * their bootstrap functions, on free ports. `dispose()` stops everything.
 */
export class TestSystem {
  readonly turing: RunningApp[] = [];
  readonly merlin: RunningApp[] = [];
  authority!: RunningApp;
  admin!: AuthorityAdminClient;

  private constructor(
    readonly nats: NatsTestServer,
    readonly db: TestDatabase,
    private readonly options: SystemOptions,
  ) {}

  static async start(options: SystemOptions = {}): Promise<TestSystem> {
    const nats = await startNatsServer({ auth: options.natsAuth ?? false });
    let db: TestDatabase | undefined;
    let system: TestSystem | undefined;
    try {
      db = await createTestDatabase('pglite');
      system = new TestSystem(nats, db, options);
      system.authority = await startTestAuthority(nats, db);
      system.admin = new AuthorityAdminClient(system.authority.url, TEST_ADMIN_TOKEN);
      for (let i = 0; i < (options.turingReplicas ?? 1); i++) system.turing.push(await startTuring(system.consumerEnv()));
      for (let i = 0; i < (options.merlinReplicas ?? 1); i++) system.merlin.push(await system.startMerlin());
      return system;
    } catch (error) {
      if (system) await system.dispose();
      else {
        await db?.dispose();
        await nats.dispose();
      }
      throw error;
    }
  }

  consumerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...this.nats.env('service'),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      AUTHORITY_URL: this.authority.url,
      IAM_DEV_MODE: '1',
      AUTHZ_ADMIN_TOKEN: TEST_CACHE_ADMIN_TOKEN,
      IAM_OPERATOR_KEY: TEST_OPERATOR_KEY,
      IAM_SERVICE_TOKEN: TEST_SERVICE_TOKEN,
      ...this.options.consumerEnv,
      ...extra,
    };
  }

  /** Starts one more merlin (also used to restart one). */
  async startMerlin(extra: Record<string, string> = {}): Promise<RunningApp> {
    return startMerlin(this.consumerEnv({ ...this.options.merlinEnv, ...extra }));
  }

  /** Every consumer instance with its service name. */
  services(): Array<{ name: string; app: RunningApp }> {
    return [...this.turing.map((app) => ({ name: 'turing', app })), ...this.merlin.map((app) => ({ name: 'merlin', app }))];
  }

  async dispose(): Promise<void> {
    const apps = [...this.merlin, ...this.turing];
    await Promise.allSettled(apps.map((app) => app.close()));
    if (this.authority) await this.authority.close().catch(() => undefined);
    await this.db.dispose();
    await this.nats.dispose();
  }
}
