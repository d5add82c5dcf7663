import type { ResolvedIdentity } from '@iam/contracts';

/**
 * The identity the guard admitted each request with, beside the request
 * rather than on it. Express gives every request its own hidden class
 * (`Object.setPrototypeOf` on each one), so adding a property to a request
 * makes V8 build a new map and copy the request's ~30-entry descriptor
 * array every time: measured on a plain Express route, a `req.identity = x`
 * store cost 4.5 % of the route's throughput, a WeakMap entry 2 %
 * (lib README, Performance). Entries live as long as their request.
 */
const identities = new WeakMap<object, ResolvedIdentity>();

/**
 * The {@link ResolvedIdentity} the `@RequirePermission` guard admitted this
 * request with; undefined on a route it does not guard, or before it ran.
 * `@CurrentIdentity()` reads it for handlers; interceptors, filters and
 * anything else holding the request object (Express `req`, Fastify's
 * request) call this.
 */
export function identityOf(request: object): ResolvedIdentity | undefined {
  return identities.get(request);
}

/** Records the identity the guard admitted `request` with (the guard's only writer). */
export function admitIdentity(request: object, identity: ResolvedIdentity): void {
  identities.set(request, identity);
}
