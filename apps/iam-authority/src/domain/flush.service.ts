import { principalTag } from '@iam/contracts';
import { invalid } from './errors';
import { assertPrincipalId } from './identifiers';
import { MutationRunner } from './mutation-runner';

/** Scope of a break-glass flush: everything, one tenant, or one principal. */
export type FlushRequestScope = 'all' | { tenant: string } | { principal: string };

/** Break-glass: publishes a `cache.flush` event through the outbox like any mutation. */
export class FlushService {
  constructor(private readonly runner: MutationRunner) {}

  /** Emits one `cache.flush` event for `scope`. */
  flush(actor: string, scope: FlushRequestScope, reason?: string) {
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 1024)) throw invalid('reason', 'reason must be a string of at most 1024 characters');
    const extra = reason ? { reason } : {};
    return this.runner.mutate<{ scope: FlushRequestScope }>({ actor, op: 'cache.flush', target: describe(scope) }, async () => {
      if (scope === 'all') {
        return { result: { scope }, event: { type: 'cache.flush', tags: [], payload: { scope: 'all', ...extra } } };
      }
      if (typeof scope === 'object' && scope !== null && 'tenant' in scope && typeof scope.tenant === 'string' && scope.tenant.length > 0 && scope.tenant.length <= 256) {
        return {
          result: { scope },
          event: { type: 'cache.flush', tags: [], tenant: scope.tenant, payload: { scope: 'tenant', tenant: scope.tenant, ...extra } },
        };
      }
      if (typeof scope === 'object' && scope !== null && 'principal' in scope) {
        const principal = assertPrincipalId(scope.principal, 'scope.principal');
        return {
          result: { scope },
          event: { type: 'cache.flush', tags: [principalTag(principal)], payload: { scope: 'principal', principal, ...extra } },
        };
      }
      throw invalid('scope', "scope must be 'all', {tenant} or {principal}");
    });
  }
}

function describe(scope: FlushRequestScope): string {
  if (scope === 'all') return 'all';
  if (typeof scope === 'object' && scope !== null) return 'tenant' in scope ? `tenant:${String(scope.tenant)}` : `principal:${String((scope as { principal: unknown }).principal)}`;
  return 'invalid';
}
