import { InjectionToken, SetMetadata } from '@nestjs/common';
import { USE_IDENTITY_RESOLVER } from '../guard/authz.guard';

/**
 * Makes the `@RequirePermission` guard of a route (or of every route of a
 * controller; a handler's decorator wins over its controller's) resolve the
 * caller through the {@link IdentityResolver} registered under `token`
 * instead of the module's shared one. Identities and decisions are then
 * cached in that resolver's partition only.
 *
 * `token` is a provider token of the app, e.g.
 * `{ provide: ACME_RESOLVER, useFactory: (authz: AuthzService) => authz.createIdentityResolver('acme'), inject: [AuthzService] }`.
 * A token that is not registered, or not an `IdentityResolver`, fails the
 * app's start-up with an `AuthzConfigError` naming the route and the token
 * (and, should it vanish at run time, the guard answers 500 `INTERNAL`).
 */
export function UseIdentityResolver(token: InjectionToken): MethodDecorator & ClassDecorator {
  if (token === undefined || token === null) throw new Error('UseIdentityResolver: a provider token is required');
  return SetMetadata(USE_IDENTITY_RESOLVER, token);
}
