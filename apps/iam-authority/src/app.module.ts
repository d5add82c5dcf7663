import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AUTHORITY_CONFIG, DATABASE } from './app.tokens';
import { AuthorityConfig } from './config/authority-config';
import { AccessService } from './domain/access.service';
import { FlushService } from './domain/flush.service';
import { GroupsService } from './domain/groups.service';
import { PoliciesService } from './domain/policies.service';
import { PrincipalsService } from './domain/principals.service';
import { AccessController } from './http/access.controller';
import { AdminController } from './http/admin.controller';
import { AuthorityExceptionFilter } from './http/authority-exception.filter';
import { BearerAuthGuard } from './http/bearer-auth.guard';
import { GroupsController } from './http/groups.controller';
import { HealthProbesController } from './http/health-probes.controller';
import { HealthController } from './http/health.controller';
import { HttpRateLimitGuard } from './http/http-rate-limit';
import { PoliciesController } from './http/policies.controller';
import { PrincipalsController } from './http/principals.controller';
import { authorityValidationPipe } from './http/validation';
import { AuthorityMetrics } from './observability/authority-metrics';
import { NatsConnector } from './relay/nats-connector';
import { OutboxRelay } from './relay/outbox-relay';
import { Database } from './storage/database';

/** The authority's core objects, built (and closed) by `startAuthority`; Nest only wires the edge to them. */
export interface AuthorityCore {
  config: AuthorityConfig;
  db: Database;
  metrics: AuthorityMetrics;
  nats: NatsConnector;
  relay: OutboxRelay;
  principals: PrincipalsService;
  groups: GroupsService;
  policies: PoliciesService;
  access: AccessService;
  flush: FlushService;
}

/** HTTP controllers, the guards, pipe and filter over an {@link AuthorityCore} (`x-iam-revision` is set by the HTTP adapter: http/revision-header.ts). */
@Module({})
export class AppModule {
  static register(core: AuthorityCore): DynamicModule {
    return {
      module: AppModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [
        PrincipalsController,
        GroupsController,
        PoliciesController,
        AccessController,
        AdminController,
        HealthController,
        HealthProbesController,
      ],
      providers: [
        { provide: AUTHORITY_CONFIG, useValue: core.config },
        { provide: DATABASE, useValue: core.db },
        { provide: AuthorityMetrics, useValue: core.metrics },
        { provide: NatsConnector, useValue: core.nats },
        { provide: OutboxRelay, useValue: core.relay },
        { provide: PrincipalsService, useValue: core.principals },
        { provide: GroupsService, useValue: core.groups },
        { provide: PoliciesService, useValue: core.policies },
        { provide: AccessService, useValue: core.access },
        { provide: FlushService, useValue: core.flush },
        // Rate limit first: unauthenticated floods are refused before any token comparison.
        { provide: APP_GUARD, useClass: HttpRateLimitGuard },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_PIPE, useFactory: authorityValidationPipe },
        { provide: APP_FILTER, useClass: AuthorityExceptionFilter },
      ],
    };
  }
}
