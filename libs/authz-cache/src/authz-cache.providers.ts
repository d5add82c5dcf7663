import { TokenBucket } from '@iam/contracts';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional, Provider } from '@nestjs/common';
import { AUTHORITY_CLIENT, AuthorityClient } from './authority/authority-client';
import { AuthorityReachability } from './authority/authority-reachability';
import { CountedAuthorityClient } from './authority/counted-authority-client';
import { HttpAuthorityClient } from './authority/http-authority-client';
import { NatsAuthorityClient } from './authority/nats-authority-client';
import { AUTHZ_MODULE_OPTIONS } from './authz-cache.module-definition';
import { AuthzService } from './authz.service';
import { AuthzCacheModuleOptions, resolveAuthzOptions, ResolvedAuthzOptions } from './config/authz-cache.options';
import { cacheCoreSettings } from './config/cache-core-settings';
import { ControlResponder } from './control/control-responder';
import { OperatorCredentialVerifier } from './control/operator-credential';
import { AuthorityRateLimitedError } from './errors';
import { AuthzCacheCore } from './core/authz-cache-core';
import { IdentityResolver } from './identity/identity-resolver';
import { AUTHZ_METRICS, AuthzMetrics } from './metrics/authz-metrics';
import { AuthzNatsConnection } from './nats/authz-nats-connection';
import { InvalidationSubscriber } from './subscription/invalidation-subscriber';
import { AUTHZ_CACHE_CORE, AUTHZ_INSTANCE_ID, AUTHZ_OPTIONS } from './tokens';

/**
 * Starts the module's background work once the app is initialised (NATS
 * connection, subscription, control responder: none of them blocks start-up)
 * and stops it on shutdown (a last snapshot, then the connection drains).
 */
@Injectable()
class AuthzCacheLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AuthzCacheModule');

  constructor(
    @Inject(AUTHZ_OPTIONS) private readonly options: ResolvedAuthzOptions,
    private readonly connection: AuthzNatsConnection,
    private readonly control: ControlResponder,
    @Optional() @Inject(InvalidationSubscriber) private readonly subscriber: InvalidationSubscriber | null,
  ) {}

  onModuleInit(): void {
    const { serviceName, enabled, authority, degradedPolicy } = this.options;
    this.logger.log(
      `${serviceName}: cache ${enabled ? 'enabled' : 'DISABLED (kill switch: every read asks the authority)'}, authority over ${authority.transport}, degraded policy ${degradedPolicy}`,
    );
    void this.connection.start().catch(() => undefined);
    this.subscriber?.start();
    this.control.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.control.stop();
    await this.subscriber?.stop();
    await this.connection.close();
  }
}

/** The module's providers, built from the raw options token. */
export const AUTHZ_PROVIDERS: Provider[] = [
  {
    provide: AUTHZ_OPTIONS,
    useFactory: (options: AuthzCacheModuleOptions) => resolveAuthzOptions(options),
    inject: [AUTHZ_MODULE_OPTIONS],
  },
  {
    provide: AUTHZ_INSTANCE_ID,
    useFactory: (options: ResolvedAuthzOptions) => `${options.serviceName}-${randomBytes(4).toString('hex')}`,
    inject: [AUTHZ_OPTIONS],
  },
  {
    provide: AUTHZ_METRICS,
    useFactory: (options: ResolvedAuthzOptions) => new AuthzMetrics({ service: options.serviceName }),
    inject: [AUTHZ_OPTIONS],
  },
  {
    provide: AuthzNatsConnection,
    useFactory: (options: ResolvedAuthzOptions, instance: string) => new AuthzNatsConnection(options, instance),
    inject: [AUTHZ_OPTIONS, AUTHZ_INSTANCE_ID],
  },
  { provide: AuthorityReachability, useFactory: () => new AuthorityReachability() },
  {
    provide: AUTHORITY_CLIENT,
    useFactory: (options: ResolvedAuthzOptions, connection: AuthzNatsConnection, metrics: AuthzMetrics, reachability: AuthorityReachability): AuthorityClient => {
      const { transport, httpUrl, serviceToken, timeoutMs } = options.authority;
      const inner =
        transport === 'http'
          ? new HttpAuthorityClient(httpUrl, serviceToken, timeoutMs)
          : new NatsAuthorityClient(connection, serviceToken, timeoutMs);
      return new CountedAuthorityClient(inner, metrics, reachability);
    },
    inject: [AUTHZ_OPTIONS, AuthzNatsConnection, AUTHZ_METRICS, AuthorityReachability],
  },
  {
    provide: AUTHZ_CACHE_CORE,
    useFactory: (options: ResolvedAuthzOptions, authority: AuthorityClient, metrics: AuthzMetrics): AuthzCacheCore | null => {
      // The kill switch allocates nothing: no caches, no subscription.
      if (!options.enabled) return null;
      const resolveBudget = new TokenBucket(options.authorityResolveRate, options.authorityResolveRate);
      const core = new AuthzCacheCore({
        loadDecision: (query, signal) => authority.check(query, signal),
        // Identity loads are what unknown tokens cost: a budget per second bounds a flood's authority calls.
        loadIdentity: (token, signal) => (resolveBudget.take() ? authority.resolveIdentity(token, undefined, signal) : Promise.reject(new AuthorityRateLimitedError())),
        ...cacheCoreSettings(options),
      });
      metrics.bindCore(() => core.stats());
      return core;
    },
    inject: [AUTHZ_OPTIONS, AUTHORITY_CLIENT, AUTHZ_METRICS],
  },
  {
    provide: InvalidationSubscriber,
    useFactory: (options: ResolvedAuthzOptions, connection: AuthzNatsConnection, core: AuthzCacheCore | null, metrics: AuthzMetrics) =>
      core ? new InvalidationSubscriber(options, connection, core, metrics) : null,
    inject: [AUTHZ_OPTIONS, AuthzNatsConnection, AUTHZ_CACHE_CORE, AUTHZ_METRICS],
  },
  {
    provide: AuthzService,
    useFactory: (
      options: ResolvedAuthzOptions,
      instance: string,
      core: AuthzCacheCore | null,
      subscriber: InvalidationSubscriber | null,
      authority: AuthorityClient,
      metrics: AuthzMetrics,
    ) => new AuthzService(options, instance, core, subscriber, authority, metrics),
    inject: [AUTHZ_OPTIONS, AUTHZ_INSTANCE_ID, AUTHZ_CACHE_CORE, InvalidationSubscriber, AUTHORITY_CLIENT, AUTHZ_METRICS],
  },
  {
    // The shared default resolver: one instance, one partition, for every injector and the guard.
    provide: IdentityResolver,
    useFactory: (authz: AuthzService) => authz.identityResolver,
    inject: [AuthzService],
  },
  {
    provide: ControlResponder,
    useFactory: (options: ResolvedAuthzOptions, instance: string, connection: AuthzNatsConnection, authz: AuthzService, metrics: AuthzMetrics) =>
      new ControlResponder(options.serviceName, instance, connection, authz, new OperatorCredentialVerifier(options.operatorKey), (reason) =>
        metrics.controlRejected.inc({ reason }),
      ),
    inject: [AUTHZ_OPTIONS, AUTHZ_INSTANCE_ID, AuthzNatsConnection, AuthzService, AUTHZ_METRICS],
  },
  AuthzCacheLifecycle,
];
