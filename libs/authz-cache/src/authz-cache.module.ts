import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AUTHORITY_CLIENT } from './authority/authority-client';
import { AuthzCacheConfigurableModule } from './authz-cache.module-definition';
import { AUTHZ_PROVIDERS } from './authz-cache.providers';
import { AuthzService } from './authz.service';
import { AdminCacheController } from './controllers/admin-cache.controller';
import { HealthProbesController } from './controllers/health-probes.controller';
import { HealthController } from './controllers/health.controller';
import { MetricsController } from './controllers/metrics.controller';
import { AdminTokenGuard } from './guard/admin-token.guard';
import { AuthzGuard } from './guard/authz.guard';
import { AuthzHealthIndicator } from './health/authz-health.indicator';
import { IdentityResolver } from './identity/identity-resolver';
import { IdentityResolverCheck } from './identity/identity-resolver-check';
import { AUTHZ_METRICS } from './metrics/authz-metrics';
import { InvalidationSubscriber } from './subscription/invalidation-subscriber';
import { AUTHZ_OPTIONS } from './tokens';

/**
 * The authorization cache every consumer service imports (DESIGN.md 5):
 * `AuthzCacheModule.forRoot(authzOptionsFromEnv(process.env, { serviceName: 'turing' }))`.
 * Gives `AuthzService`, the shared `IdentityResolver`, the `@RequirePermission` guard, `GET /health`
 * (and the Kubernetes probes `/health/live`, `/health/ready`; `AuthzHealthIndicator` for an app's own),
 * `GET /metrics` and `/admin/cache/{stats,replay,rebuild,flush}`.
 * Global: import it once, in the app's root module.
 */
@Module({
  // Terminus logs nothing itself: degraded-mode transitions are logged once by the subscriber, not on every probe.
  imports: [DiscoveryModule, TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, HealthProbesController, MetricsController, AdminCacheController],
  providers: [...AUTHZ_PROVIDERS, AuthzGuard, AdminTokenGuard, IdentityResolverCheck, AuthzHealthIndicator],
  exports: [AuthzService, IdentityResolver, AuthzGuard, InvalidationSubscriber, AUTHZ_METRICS, AUTHZ_OPTIONS, AUTHORITY_CLIENT, AuthzHealthIndicator],
})
export class AuthzCacheModule extends AuthzCacheConfigurableModule {}
