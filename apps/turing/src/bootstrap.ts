import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AUTHZ_METRICS, AuthzMetrics, AuthzService } from '@iam/authz-cache';
import { createValidationPipe, hardenHttp, httpServiceConfigFromEnv, listeningUrl, serviceLoggerFromEnv, ServiceMetrics } from '@iam/service-kit';
import { TuringModule } from './turing.module';

/** Default HTTP port of turing. */
const TURING_DEFAULT_PORT = 3001;

/** A running turing instance. */
export interface RunningTuring {
  app: INestApplication;
  /** Base URL, e.g. `http://127.0.0.1:3001`. */
  url: string;
  /** Stops the HTTP server and the cache module (NATS subscription, snapshot). Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts turing from `env` (see the preamble's env list: PORT default 3001,
 * HOST, NATS_*, AUTHORITY_URL, AUTHZ_*, IAM_*_TOKEN, LOG_LEVEL, LOG_FORMAT). Does not
 * install signal handlers: `main.ts` does, and the one-process stack owns them there.
 */
export async function startTuring(env: NodeJS.ProcessEnv = process.env): Promise<RunningTuring> {
  const config = httpServiceConfigFromEnv(env, TURING_DEFAULT_PORT);
  const logger = serviceLoggerFromEnv(env);
  Logger.overrideLogger(logger);
  const app = await NestFactory.create(TuringModule.register(env), { logger, bodyParser: false });
  hardenHttp(app);
  app.useGlobalPipes(createValidationPipe());
  // Process, build-info and HTTP-duration metrics join the cache module's registry (one /metrics).
  const metrics = new ServiceMetrics(app.get<AuthzMetrics>(AUTHZ_METRICS).registry, { app: 'turing', instanceId: app.get(AuthzService).instanceId });
  app.use(metrics.httpMiddleware());
  await app.listen(config.port, config.host);
  const url = listeningUrl(config.host, app.getHttpServer().address());
  new Logger('Turing').log(`turing listening on ${url}`);
  let closing: Promise<void> | undefined;
  return { app, url, close: () => (closing ??= app.close()) };
}
