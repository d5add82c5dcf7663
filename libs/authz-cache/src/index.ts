/*
 * The face of @iam/authz-cache: only the public API.
 */
export { AuthzCacheModule } from './authz-cache.module';
export { AuthzService } from './authz.service';
export type { AuthzCacheStats, AuthzReadOptions } from './authz.service';
export type { AuthzCacheModuleOptions, AuthorityTransport, DegradedPolicy } from './config/authz-cache.options';
export { AUTHZ_DEFAULTS, AUTHZ_OPTION_TABLE } from './config/authz-option-table';
export type { AuthzDefaults, AuthzOptionPath, AuthzOptionSpec } from './config/authz-option-table';
export { authzOptionsFromEnv, DEV_ADMIN_TOKEN, DEV_OPERATOR_KEY, DEV_SERVICE_TOKEN } from './config/authz-options-from-env';
export { RequirePermission } from './decorators/require-permission.decorator';
export { CurrentIdentity } from './decorators/current-identity.decorator';
export { UseIdentityResolver } from './decorators/use-identity-resolver.decorator';
export { IdentityResolver } from './identity/identity-resolver';
export type { IdentityReadOptions } from './identity/identity-resolver';
export { AuthzGuard } from './guard/authz.guard';
export { identityOf } from './guard/request-identity';
export type { RequiredPermission } from './guard/authz.guard';
export { InvalidationSubscriber } from './subscription/invalidation-subscriber';
export type { SubscriptionStatus } from './subscription/invalidation-subscriber';
export type { ReplayRange, ProgressCallback } from './subscription/stream-replayer';
export type { AuthorityClient } from './authority/authority-client';
export { AUTHORITY_CLIENT } from './authority/authority-client';
export { AUTHZ_METRICS, AuthzMetrics } from './metrics/authz-metrics';
export { AuthzHealthIndicator } from './health/authz-health.indicator';
export { decideReadiness } from './health/readiness';
export type { Readiness, ReadinessFacts, ReadinessSource } from './health/readiness';
export {
  AuthzError,
  AuthzConfigError,
  AuthorityUnavailableError,
  AuthorityRejectedError,
  RevisionNotReachedError,
  AuthzRequestError,
  AuthzNotLiveError,
} from './errors';
export type { AuthzErrorCode } from './errors';
export type { CachePartition } from './core/types';
