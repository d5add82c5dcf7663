import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AUTHORITY_CLIENT } from './authority/authority-client';
import { AuthzCacheConfigurableModule } from './authz-cache.module-definition';
import { AUTHZ_PROVIDERS } from './authz-cache.providers';
import { AuthzService } from './authz.service';
import { AdminCacheController } from './controllers/admin-cache.controller';
import { HealthController } from './controllers/health.controller';
import { MetricsController } from './controllers/metrics.controller';
import { AdminTokenGuard } from './guard/admin-token.guard';
import { AuthzGuard } from './guard/authz.guard';
import { IdentityResolver } from './identity/identity-resolver';
import { IdentityResolverCheck } from './identity/identity-resolver-check';
import { AUTHZ_METRICS } from './metrics/authz-metrics';
import { InvalidationSubscriber } from './subscription/invalidation-subscriber';
import { AUTHZ_OPTIONS } from './tokens';

/**
 * The authorization cache every consumer service imports (DESIGN.md 5):
 * `AuthzCacheModule.forRoot(authzOptionsFromEnv(process.env, { serviceName: 'turing' }))`.
 * Gives `AuthzService`, the shared `IdentityResolver`, the `@RequirePermission` guard, `GET /health`,
 * `GET /metrics` and `/admin/cache/{stats,replay,rebuild,flush}`.
 * Global: import it once, in the app's root module.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [HealthController, MetricsController, AdminCacheController],
  providers: [...AUTHZ_PROVIDERS, AuthzGuard, AdminTokenGuard, IdentityResolverCheck],
  exports: [AuthzService, IdentityResolver, AuthzGuard, InvalidationSubscriber, AUTHZ_METRICS, AUTHZ_OPTIONS, AUTHORITY_CLIENT],
})
export class AuthzCacheModule extends AuthzCacheConfigurableModule {}
