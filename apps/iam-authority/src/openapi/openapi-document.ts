import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppModule, AuthorityCore } from '../app.module';
import { loadAuthorityConfig } from '../config/authority-config';
import { ADMIN_BEARER, SERVICE_BEARER } from '../http/openapi-decorators';
import { AuthorityMetrics } from '../observability/authority-metrics';

/** Where the UI is served (`/docs`); the JSON document is at `/docs-json`. */
const OPENAPI_PATH = 'docs';

/** Version of the HTTP API the document describes (its paths are `/v1/...`). */
const AUTHORITY_API_VERSION = '1.0.0';

/** The authority's OpenAPI document, from the controllers' and DTOs' metadata. */
function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('IAM authority')
    .setDescription(
      'Principals, groups, roles, policies and tokens (admin token), permission checks and token resolution (service token). ' +
        'Every mutation answers the new revision (also in the `x-iam-revision` header, the consistency token). ' +
        'Errors are `{code, message, field?, revision?}` with a stable `code`. ' +
        'The same check and resolve are served over NATS as plain JSON (docs/asyncapi.yaml).',
    )
    .setVersion(AUTHORITY_API_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'An admin token (IAM_ADMIN_TOKENS / IAM_ADMIN_TOKEN): the admin API.' }, ADMIN_BEARER)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'The service token (IAM_SERVICE_TOKEN): check and resolve only.' }, SERVICE_BEARER)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves the UI at `/docs` and the document at `/docs-json` (no token: the document holds no secret). */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup(OPENAPI_PATH, app, () => createOpenApiDocument(app), { jsonDocumentUrl: `${OPENAPI_PATH}-json`, yamlDocumentUrl: `${OPENAPI_PATH}-yaml` });
}

/**
 * Builds the document without a database, NATS or a listening server: the
 * app module over a core whose objects are never called (only the
 * controllers' metadata is read), but for the metrics, whose label children
 * controllers make at construction (a registry of their own). For
 * `npm run docs:openapi` and the test that keeps `docs/openapi.json` current.
 */
export async function buildOpenApiDocumentOffline(): Promise<OpenAPIObject> {
  const config = loadAuthorityConfig({ IAM_DEV_MODE: '1' }, { warn: () => undefined });
  const unused = {} as never;
  const core: AuthorityCore = { config, db: unused, metrics: new AuthorityMetrics(), nats: unused, relay: unused, principals: unused, groups: unused, policies: unused, access: unused, flush: unused };
  const app = await NestFactory.create(AppModule.register(core), { logger: false, abortOnError: false });
  try {
    return createOpenApiDocument(app);
  } finally {
    await app.close().catch((error: Error) => new Logger('OpenApi').warn(error.message));
  }
}

/** The committed form of the document: stable, two-space JSON with a final newline. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
