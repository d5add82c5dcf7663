import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { AuthorityReachability } from '../authority/authority-reachability';
import { AuthzCacheStats, AuthzService } from '../authz.service';
import type { ResolvedAuthzOptions } from '../config/authz-cache.options';
import { AuthzNatsConnection } from '../nats/authz-nats-connection';
import { AUTHZ_OPTIONS } from '../tokens';
import { decideReadiness, ReadinessFacts } from './readiness';

/**
 * Terminus health indicator of the cache module, for an app's own
 * `/health/ready` (the module already serves one):
 *
 * ```ts
 * @Get('ready') @HealthCheck()
 * ready() { return this.health.check([() => this.authzHealth.isReady()]); }
 * ```
 *
 * Up while the instance can answer permission checks correctly (see
 * {@link decideReadiness}); the result carries the subscription's detail
 * (degraded and why, lag, freshness lease age when reported).
 */
@Injectable()
export class AuthzHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly authz: AuthzService,
    private readonly reachability: AuthorityReachability,
    private readonly connection: AuthzNatsConnection,
    @Inject(AUTHZ_OPTIONS) private readonly options: ResolvedAuthzOptions,
  ) {}

  /** Readiness by the freshness rule, under `key` (default `authz`). */
  isReady<const Key extends string = 'authz'>(key: Key = 'authz' as Key): HealthIndicatorResult<Key> {
    const stats = this.authz.stats();
    const facts = this.facts(stats);
    const verdict = decideReadiness(facts);
    const detail = {
      reason: verdict.reason,
      ...(verdict.ready ? { source: verdict.source } : {}),
      service: stats.service,
      instanceId: stats.instanceId,
      enabled: stats.enabled,
      live: stats.live,
      degraded: stats.degraded,
      ...(stats.degradedReason ? { degradedReason: stats.degradedReason } : {}),
      lag: stats.lag,
      authorityReachable: facts.authorityReachable,
      ...(facts.freshAsOfAgeMs !== undefined ? { freshAsOfAgeMs: facts.freshAsOfAgeMs } : {}),
    };
    const session = this.indicators.check(key);
    return verdict.ready ? session.up(detail) : session.down(detail);
  }

  private facts(stats: AuthzCacheStats): ReadinessFacts {
    // Over NATS the authority is out of reach while the connection is down, whatever the last call said.
    const transportUp = stats.transport === 'http' || this.connection.connected;
    return {
      enabled: stats.enabled,
      everLive: stats.subscription?.cachingEnabled ?? stats.live,
      degraded: stats.degraded,
      degradedReason: stats.degradedReason,
      degradedPolicy: stats.degradedPolicy,
      freshAsOfAgeMs: freshAsOfAgeMs(stats),
      maxStalenessMs: this.options.maxStalenessMs,
      authorityReachable: transportUp && this.reachability.reachable,
    };
  }
}

/**
 * The freshness lease age, when the subscription reports one (builds with
 * checkpoint leases add `freshAsOfAgeMs` to the stats; read structurally so
 * the indicator works with and without it).
 */
function freshAsOfAgeMs(stats: AuthzCacheStats): number | undefined {
  const age = (stats as AuthzCacheStats & { freshAsOfAgeMs?: unknown }).freshAsOfAgeMs;
  return typeof age === 'number' ? age : undefined;
}
