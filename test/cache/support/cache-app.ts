import 'reflect-metadata';
import { AddressInfo } from 'node:net';
import { Controller, Get, INestApplication, LoggerService, Module, Param, Provider, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ResolvedIdentity } from '@iam/contracts';
import {
  AuthzCacheModule,
  AuthzCacheModuleOptions,
  AuthzService,
  CurrentIdentity,
  InvalidationSubscriber,
  RequirePermission,
} from '@iam/authz-cache';
import { TEST_CACHE_ADMIN_TOKEN, TEST_OPERATOR_KEY, TEST_SERVICE_TOKEN } from '../../support/credentials';
import { request as httpRequest } from '../../support/http';

/**
 * Every log line of the apps in this process (Nest's logger is process-wide),
 * so tests can assert on lines such as `cache flushed: gap`. Printed too when
 * TEST_LOGS is set.
 */
export const logLines: string[] = [];
const capturingLogger: LoggerService = {
  log: (message: unknown, context?: unknown) => capture('log', message, context),
  warn: (message: unknown, context?: unknown) => capture('warn', message, context),
  error: (message: unknown, ...rest: unknown[]) => capture('error', message, rest[rest.length - 1]),
  debug: () => undefined,
  verbose: () => undefined,
};
function capture(level: string, message: unknown, context: unknown): void {
  const line = `${level} [${String(context ?? '')}] ${String(message)}`;
  logLines.push(line);
  if (process.env.TEST_LOGS) console.log(line);
}

/** A parsed JSON answer; tests assert on it with toMatchObject, so it is deliberately loose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

/** A guarded route like turing's: `GET /projects/:project/routers/:id` needs `routers.read`. */
@Controller('projects/:project/routers')
class RoutersTestController {
  @Get(':id')
  @RequirePermission('routers.read', 'projects:{project}:routers:{id}')
  get(@Param('id') id: string, @CurrentIdentity() identity: ResolvedIdentity): { id: string; principal: string } {
    return { id, principal: identity.principal };
  }
}

/** A running Nest app with the cache module. */
export interface CacheApp {
  app: INestApplication;
  url: string;
  authz: AuthzService;
  subscriber: InvalidationSubscriber | null;
  /** GET with an optional bearer and headers; JSON body (or text) and status. */
  get(path: string, token?: string, headers?: Record<string, string>): Promise<{ status: number; body: JsonBody; text: string }>;
  post(path: string, body: unknown, token?: string): Promise<{ status: number; body: JsonBody; text: string }>;
  close(): Promise<void>;
}

/** Options with test defaults merged in (stand-in service token, quick timeouts). */
export function testOptions(natsUrl: string, overrides: Partial<AuthzCacheModuleOptions> = {}): AuthzCacheModuleOptions {
  return {
    serviceName: 'turing',
    nats: { servers: [natsUrl] },
    authority: { transport: 'nats', httpUrl: 'http://127.0.0.1:9', serviceToken: TEST_SERVICE_TOKEN, timeoutMs: 1000 },
    adminToken: TEST_CACHE_ADMIN_TOKEN,
    operatorKey: TEST_OPERATOR_KEY,
    ...overrides,
  };
}

/** What a test adds to the app beside the routers route (more routes, override identity resolvers...). */
export interface CacheAppExtras {
  controllers?: Type[];
  providers?: Provider[];
}

/** Boots a real Nest app (HTTP on a free loopback port) with `AuthzCacheModule.forRoot(options)`. */
export async function startCacheApp(options: AuthzCacheModuleOptions, extras: CacheAppExtras = {}): Promise<CacheApp> {
  @Module({
    imports: [AuthzCacheModule.forRoot(options)],
    controllers: [RoutersTestController, ...(extras.controllers ?? [])],
    providers: extras.providers ?? [],
  })
  class TestAppModule {}

  const app = await NestFactory.create(TestAppModule, { logger: capturingLogger });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const request = async (method: string, path: string, body: unknown, token?: string, headers: Record<string, string> = {}) => {
    const response = await httpRequest(`${url}${path}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body });
    return { status: response.status, body: response.json as JsonBody, text: response.text };
  };
  return {
    app,
    url,
    authz: app.get(AuthzService),
    subscriber: app.get(InvalidationSubscriber, { strict: false }),
    get: (path, token, headers) => request('GET', path, undefined, token, headers),
    post: (path, body, token) => request('POST', path, body, token),
    close: () => app.close(),
  };
}
