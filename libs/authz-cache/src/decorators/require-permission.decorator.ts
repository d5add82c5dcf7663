import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { AuthzGuard, REQUIRE_PERMISSION, RequiredPermission } from '../guard/authz.guard';
import { assertResourceTemplate } from '../guard/resource-template';

const ACTION = /^[a-z0-9_*]+(\.[a-z0-9_*]+)*$/;

/**
 * Guards a route (or every route of a controller): the caller's bearer token
 * must resolve and the principal must be allowed `action` on the resource
 * the template names, with `{param}` filled from route params, e.g.
 * `@RequirePermission('routers.read', 'projects:{project}:routers:{id}')`.
 * See {@link AuthzGuard} for the answers (401, 403, 503, 400).
 */
export function RequirePermission(action: string, resourceTemplate: string): MethodDecorator & ClassDecorator {
  if (typeof action !== 'string' || !ACTION.test(action)) {
    throw new Error(`RequirePermission: action '${String(action)}' must match [a-z0-9_*]+(.[a-z0-9_*]+)*`);
  }
  assertResourceTemplate(resourceTemplate);
  const required: RequiredPermission = { action, resourceTemplate };
  return applyDecorators(SetMetadata(REQUIRE_PERMISSION, required), UseGuards(AuthzGuard));
}
