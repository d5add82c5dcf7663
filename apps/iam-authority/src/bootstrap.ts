import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AddressInfo } from 'node:net';
import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ensureLocalNats, NatsServerProcess } from '@iam/local-nats';
import { hardenHttp, serviceLoggerFromEnv, ServiceMetrics } from '@iam/service-kit';
import { AppModule, AuthorityCore } from './app.module';
import { loadAuthorityConfig } from './config/authority-config';
import { AccessService } from './domain/access.service';
import { FlushService } from './domain/flush.service';
import { GroupsService } from './domain/groups.service';
import { ModelFollower } from './domain/model-follower';
import { MutationRunner } from './domain/mutation-runner';
import { PoliciesService } from './domain/policies.service';
import { PrincipalsService } from './domain/principals.service';
import { AuthorityHttpAdapter } from './http/revision-header';
import { AuthorityMetrics } from './observability/authority-metrics';
import { setupOpenApi } from './openapi/openapi-document';
import { NatsConnector, natsConnectionOptions } from './relay/nats-connector';
import { OutboxRelay } from './relay/outbox-relay';
import { PgRelayLease, RelayLease, SoleRelayLease } from './relay/relay-lease';
import { alignRevisionWithStream } from './relay/revision-alignment';
import { AuthorityRpcHandlers } from './rpc/authority-rpc-handlers';
import { AuthorityRpcService } from './rpc/authority-rpc-service';
import { Database } from './storage/database';
import { IdentityRepository } from './storage/identity.repository';
import { ModelRepository } from './storage/model.repository';
import { openDatabase } from './storage/open-database';
import { OutboxNotifications } from './storage/outbox-notifications';
import { PgDatabase } from './storage/pg-database';
import { RelayLeaseRepository } from './storage/relay-lease.repository';
import { RelayOutboxRepository } from './storage/relay-outbox.repository';

/** A running authority. */
export interface RunningAuthority {
  app: INestApplication;
  /** HTTP base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** The core objects (database, relay, services), for tests and tools. */
  core: AuthorityCore;
  /** The NATS RPC service (check/resolve, `$SRV` discovery). */
  rpc: AuthorityRpcService;
  /** Graceful stop: HTTP and RPC first, then the relay, NATS, the database (and a local nats-server started here). */
  close(): Promise<void>;
}

/**
 * Injection points for tests and tools; a production start passes none.
 */
export interface AuthorityHooks {
  /** Awaited by the outbox relay before each publish (a test kills the process there: test/support/crash-before-publish-authority.ts). */
  beforePublish?: (revision: number) => Promise<void>;
}

/**
 * Starts the authority from the environment (see README for every
 * variable): validated config, database + migrations, NATS (starting a local
 * nats-server when NATS_URL is the default and nothing answers), the outbox
 * relay, the HTTP API and the NATS RPC server. `PORT=0` picks a free port.
 * Throws `ConfigError` naming the variable on bad config.
 */
export async function startAuthority(env: Record<string, string | undefined> = process.env, hooks: AuthorityHooks = {}): Promise<RunningAuthority> {
  const logger = new Logger('IamAuthority');
  // LOG_LEVEL and LOG_FORMAT first, so that even the config's own warnings follow them.
  const serviceLogger = serviceLoggerFromEnv(env);
  Logger.overrideLogger(serviceLogger);
  const config = loadAuthorityConfig(env);
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch((error: Error) => logger.warn(`shutdown step failed: ${error.message}`));
  };
  try {
    let localNats: NatsServerProcess | null = null;
    if (config.natsUrlIsDefault) {
      localNats = (await ensureLocalNats({ url: config.natsServers[0], logger })).process;
      if (localNats) cleanups.push(() => localNats!.stop());
    }

    const db: Database = await openDatabase(config.storage);
    cleanups.push(() => db.close());
    logger.log(`storage: ${db.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${'dataDir' in config.storage ? config.storage.dataDir : ''}`}`);

    // The in-memory model `check` answers from: loaded now, then kept in step with every commit.
    const follower = new ModelFollower(new ModelRepository(db), { pollMs: config.relayPollMs, acknowledgeWaitMs: 5000 });
    cleanups.push(() => follower.stop());
    await follower.start();

    const metrics = new AuthorityMetrics();
    const serviceMetrics = new ServiceMetrics(metrics.registry, { app: 'iam-authority' });
    const runner = new MutationRunner(db, follower);
    const nats = new NatsConnector(natsConnectionOptions(config, 'iam-authority-relay'));
    cleanups.push(() => nats.close());
    // One id per process start: the lease holder, and the `relay` field of its checkpoints.
    const relayId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    const lease: RelayLease =
      db instanceof PgDatabase
        ? new PgRelayLease(new RelayLeaseRepository(db), relayId, { ttlMs: config.relayLeaseMs, renewEveryMs: config.checkpointIntervalMs })
        : new SoleRelayLease(relayId);
    const notifications = db instanceof PgDatabase ? new OutboxNotifications(db, () => relay.wake()) : null;
    const relay = new OutboxRelay(
      {
        outbox: new RelayOutboxRepository(db),
        lease,
        nats,
        metrics,
        alignRevision: (nc) => alignRevisionWithStream(db, nc),
        listen: notifications ? () => notifications.ensure() : undefined,
        beforePublish: hooks.beforePublish,
      },
      { streamReplicas: config.streamReplicas, pollMs: config.relayPollMs, checkpointIntervalMs: config.checkpointIntervalMs },
    );
    if (notifications) cleanups.push(() => notifications.close());
    cleanups.push(() => relay.stop());
    runner.onCommit((_revision, op) => {
      metrics.mutations.inc({ op });
      relay.wake();
    });
    const core: AuthorityCore = {
      config,
      db,
      metrics,
      nats,
      relay,
      principals: new PrincipalsService(db, runner),
      groups: new GroupsService(db, runner),
      policies: new PoliciesService(db, runner),
      access: new AccessService(follower, new IdentityRepository(db)),
      flush: new FlushService(runner),
    };

    await nats.start();
    relay.start();

    // The adapter sets the x-iam-revision header (http/revision-header.ts): an interceptor would cost the hot path rxjs per request.
    const app = await NestFactory.create(AppModule.register(core), new AuthorityHttpAdapter(), { abortOnError: false, logger: serviceLogger, bodyParser: false });
    hardenHttp(app, { maxBodyBytes: config.maxBodyBytes });
    setupOpenApi(app);
    cleanups.push(() => app.close());
    app.use(serviceMetrics.httpMiddleware());
    // Plain JSON RPC as a NATS service, on a connection of its own (relay traffic never queues behind it).
    const rpc = new AuthorityRpcService(new NatsConnector(natsConnectionOptions(config, 'iam-authority-rpc')), new AuthorityRpcHandlers(core.access, config.serviceToken, config.rpcRateLimitPerSecond), metrics);
    cleanups.push(() => rpc.close());
    await rpc.start();
    await app.listen(config.port, config.host);
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;
    logger.log(`IAM authority listening on ${url}${config.host === '127.0.0.1' ? '' : ` (bound to ${config.host})`}`);
    let closing: Promise<void> | null = null;
    return {
      app,
      url,
      core,
      rpc,
      close: () => (closing ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
