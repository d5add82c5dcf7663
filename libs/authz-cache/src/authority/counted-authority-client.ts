import type { CheckRequest, CheckResult, ResolvedIdentity } from '@iam/contracts';
import type { AuthzMetrics } from '../metrics/authz-metrics';
import type { AuthorityClient } from './authority-client';
import type { AuthorityReachability } from './authority-reachability';

/**
 * Wraps a client to count calls by operation and outcome
 * (`authz_cache_authority_calls_total`) and to record whether the authority
 * answers (readiness, see `AuthorityReachability`).
 */
export class CountedAuthorityClient implements AuthorityClient {
  constructor(
    private readonly inner: AuthorityClient,
    private readonly metrics: AuthzMetrics,
    private readonly reachability?: AuthorityReachability,
  ) {}

  get transport(): 'nats' | 'http' {
    return this.inner.transport;
  }

  check(request: CheckRequest, signal?: AbortSignal): Promise<CheckResult> {
    return this.count('check', this.inner.check(request, signal));
  }

  resolveIdentity(token: string, atLeastRevision?: number, signal?: AbortSignal): Promise<ResolvedIdentity | null> {
    return this.count('identity', this.inner.resolveIdentity(token, atLeastRevision, signal));
  }

  private async count<T>(op: string, call: Promise<T>): Promise<T> {
    try {
      const value = await call;
      this.metrics.authorityCalls.inc({ op, outcome: 'ok' });
      this.reachability?.recordAnswer();
      return value;
    } catch (error) {
      const code = (error as { code?: string }).code;
      this.metrics.authorityCalls.inc({ op, outcome: code ?? 'error' });
      this.reachability?.recordFailure(code);
      throw error;
    }
  }
}
