import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocumentOffline, serializeOpenApiDocument } from './openapi-document';

/** `npm run docs:openapi`: writes docs/openapi.json from the authority's controllers. */
async function main(): Promise<void> {
  const target = join(process.cwd(), 'docs', 'openapi.json');
  writeFileSync(target, serializeOpenApiDocument(await buildOpenApiDocumentOffline()));
  console.log(`wrote ${target}`);
}

main().catch((error: Error) => {
  console.error(`docs:openapi failed: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
