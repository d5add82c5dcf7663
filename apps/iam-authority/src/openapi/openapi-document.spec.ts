import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocumentOffline, serializeOpenApiDocument } from './openapi-document';

const COMMITTED = join(__dirname, '..', '..', '..', '..', 'docs', 'openapi.json');

describe('the OpenAPI document of the authority', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    document = await buildOpenApiDocumentOffline();
  });

  it('is what docs/openapi.json holds (run `npm run docs:openapi` after changing a route or DTO)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(serializeOpenApiDocument(document));
  });

  it('requires the admin token on the admin API, a service or admin token on check/resolve, none on health and metrics', () => {
    const security = (path: string, method: 'get' | 'post' | 'put' | 'delete') => document.paths[path]?.[method]?.security;
    for (const [path, method] of [
      ['/v1/principals', 'post'],
      ['/v1/principals/{id}/tokens', 'post'],
      ['/v1/groups/{id}/members/{principal}', 'put'],
      ['/v1/policies/{id}', 'delete'],
      ['/v1/admin/flush', 'post'],
    ] as const) {
      expect(security(path, method)).toEqual([{ 'admin-token': [] }]);
    }
    expect(security('/v1/check', 'post')).toEqual(expect.arrayContaining([{ 'service-token': [] }, { 'admin-token': [] }]));
    expect(security('/v1/identity/resolve', 'post')).toEqual(expect.arrayContaining([{ 'service-token': [] }, { 'admin-token': [] }]));
    expect(security('/health', 'get')).toBeUndefined();
    expect(security('/metrics', 'get')).toBeUndefined();
    expect(document.components?.securitySchemes).toMatchObject({ 'admin-token': { type: 'http', scheme: 'bearer' }, 'service-token': { type: 'http', scheme: 'bearer' } });
  });

  it('describes bodies: the contract schemas for check and errors, the DTOs for the admin API', () => {
    const check = document.paths['/v1/check'].post!;
    expect(check.requestBody).toMatchObject({ content: { 'application/json': { schema: { title: 'CheckRequest', required: ['principal', 'action', 'resource'] } } } });
    expect(check.responses['200']).toMatchObject({ content: { 'application/json': { schema: { title: 'CheckResult' } } } });
    expect(check.responses['412']).toMatchObject({ content: { 'application/json': { schema: { title: 'AuthorityErrorBody' } } } });
    expect(document.components?.schemas?.PolicyDto).toMatchObject({ required: expect.arrayContaining(['subjects', 'resources', 'effect']) });
  });
});
