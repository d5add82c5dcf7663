import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { authorityErrorBodySchema } from '@iam/contracts';

/*
 * OpenAPI metadata shared by the authority's controllers. Bodies of checks,
 * resolutions and errors are the contract's JSON Schemas (`@iam/contracts`),
 * the same ones the NATS RPC publishes in docs/asyncapi.yaml.
 */

/** Security scheme of the admin API: `Authorization: Bearer <admin token>` (IAM_ADMIN_TOKENS). */
export const ADMIN_BEARER = 'admin-token';
/** Security scheme of check/resolve: `Authorization: Bearer <service token>` (IAM_SERVICE_TOKEN); an admin token works too. */
export const SERVICE_BEARER = 'service-token';

/** A contract schema (a readonly `as const` literal) as an OpenAPI schema object. */
export function contractSchema(schema: object): SchemaObject {
  return JSON.parse(JSON.stringify(schema)) as SchemaObject;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'INVALID_REQUEST: a field is invalid (`field` names it)',
  401: 'UNAUTHENTICATED: no or wrong bearer token',
  404: 'NOT_FOUND (or TOKEN_INVALID for a resolution)',
  409: 'CONFLICT: it exists already, or the state forbids the change',
  412: 'REVISION_NOT_REACHED: `atLeastRevision` is ahead of the authority (`revision` is its current one)',
  413: 'PAYLOAD_TOO_LARGE: the body exceeds IAM_MAX_BODY_BYTES',
  429: 'RATE_LIMITED: too many requests from this client',
};

/** Error answers of a route, each with the contract's `AuthorityErrorBody`. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'error', schema: contractSchema(authorityErrorBodySchema) })));
}

/** A controller of the admin API: its tag, the admin bearer token, and the errors every admin route may answer. */
export function AdminApi(tag: string): ClassDecorator {
  return applyDecorators(ApiTags(tag), ApiBearerAuth(ADMIN_BEARER), ApiErrors(400, 401, 413, 429));
}
