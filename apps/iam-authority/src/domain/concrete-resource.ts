import { invalid } from './errors';
import { assertResource } from './identifiers';

/**
 * A resource named by a check request: a valid resource with no `*` or `**`
 * segment. Patterns belong to policies only; a check for
 * `projects:42:routers:*` would otherwise be answered as if the pattern were
 * one concrete resource, slipping past denies on its members.
 * @throws AuthorityError INVALID_REQUEST (400) naming `field`.
 */
export function assertConcreteResource(value: unknown, field = 'resource'): string {
  const resource = assertResource(value, field);
  if (resource.split(':').some((segment) => segment === '*' || segment === '**')) {
    throw invalid(field, `${field} must name a concrete resource: '*' and '**' are patterns, allowed in policies only`);
  }
  return resource;
}
