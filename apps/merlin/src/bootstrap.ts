import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createValidationPipe, hardenHttp, httpServiceConfigFromEnv, listeningUrl } from '@iam/service-kit';
import { MerlinModule } from './merlin.module';

/** Default HTTP port of merlin. */
export const MERLIN_DEFAULT_PORT = 3002;

/** A running merlin instance. */
export interface RunningMerlin {
  app: INestApplication;
  /** Base URL, e.g. `http://127.0.0.1:3002`. */
  url: string;
  /** Stops the HTTP server and the cache module (NATS subscription, snapshot). Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts merlin from `env` (see the preamble's env list: PORT default 3002,
 * HOST, NATS_*, AUTHORITY_URL, AUTHZ_*, IAM_*_TOKEN, LOG_LEVEL). Does not
 * install signal handlers: `main.ts` does, and the one-process stack owns them there.
 */
export async function startMerlin(env: NodeJS.ProcessEnv = process.env): Promise<RunningMerlin> {
  const config = httpServiceConfigFromEnv(env, MERLIN_DEFAULT_PORT);
  const app = await NestFactory.create(MerlinModule.register(env), { logger: config.logLevels, bodyParser: false });
  hardenHttp(app);
  app.useGlobalPipes(createValidationPipe());
  await app.listen(config.port, config.host);
  const url = listeningUrl(config.host, app.getHttpServer().address());
  new Logger('Merlin').log(`merlin listening on ${url}`);
  let closing: Promise<void> | undefined;
  return { app, url, close: () => (closing ??= app.close()) };
}
