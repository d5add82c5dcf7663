'use strict';
/*
 * A consumer service written outside this repository: plain CommonJS that
 * installs @iam/authz-cache from its tarball, as another team would. The
 * decorators are applied by hand (no TypeScript build in the test), exactly as
 * tsc would apply them. Environment:
 * - the cache module's variables (NATS_URL, NATS_USER/NATS_PASS,
 *   IAM_SERVICE_TOKEN, IAM_ADMIN_TOKEN, AUTHZ_*), read by authzOptionsFromEnv;
 * - HTTP_ADAPTER: express (default) or fastify;
 * - MODULE_SETUP: forRoot (default) or forRootAsync.
 * Prints one JSON line `{"port":N,"nest":"x.y.z","adapter":"..."}` once it listens.
 */
require('reflect-metadata');
const { Controller, Get, Module, Param } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { AuthzCacheModule, authzOptionsFromEnv, CurrentIdentity, RequirePermission } = require('@iam/authz-cache');

class ProjectsController {
  read(id, identity) {
    return { project: id, principal: identity.principal };
  }
}
const read = Object.getOwnPropertyDescriptor(ProjectsController.prototype, 'read');
Object.defineProperty(
  ProjectsController.prototype,
  'read',
  Reflect.decorate([Get(':id'), RequirePermission('routers.read', 'projects:{id}')], ProjectsController.prototype, 'read', read),
);
Param('id')(ProjectsController.prototype, 'read', 0);
CurrentIdentity()(ProjectsController.prototype, 'read', 1);
Controller('projects')(ProjectsController);

const options = () => authzOptionsFromEnv(process.env, { serviceName: 'outside-app' });
const authz = process.env.MODULE_SETUP === 'forRootAsync' ? AuthzCacheModule.forRootAsync({ useFactory: options }) : AuthzCacheModule.forRoot(options());

class AppModule {}
Module({ imports: [authz], controllers: [ProjectsController] })(AppModule);

async function main() {
  const adapterName = process.env.HTTP_ADAPTER ?? 'express';
  const logger = ['error', 'warn'];
  const app =
    adapterName === 'fastify'
      ? await NestFactory.create(AppModule, new (require('@nestjs/platform-fastify').FastifyAdapter)(), { logger })
      : await NestFactory.create(AppModule, { logger });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address();
  const nest = require('@nestjs/core/package.json').version;
  process.stdout.write(`${JSON.stringify({ port, nest, adapter: adapterName })}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
