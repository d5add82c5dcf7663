import { DynamicModule, Module } from '@nestjs/common';
import { AuthzCacheModule, authzOptionsFromEnv } from '@iam/authz-cache';
import { ExperimentsController } from './experiments/experiments.controller';
import { ExperimentsService } from './experiments/experiments.service';
import { RoutersController } from './routers/routers.controller';
import { RoutersService } from './routers/routers.service';

/**
 * Turing: routers and their experiments. The cache module brings the guard
 * behind `@RequirePermission`, `/health`, `/metrics` and `/admin/cache/*`.
 */
@Module({})
export class TuringModule {
  /** The module configured from `env` (not `process.env`, so several instances can run in one process). */
  static register(env: NodeJS.ProcessEnv): DynamicModule {
    return {
      module: TuringModule,
      imports: [AuthzCacheModule.forRoot(authzOptionsFromEnv(env, { serviceName: 'turing' }))],
      controllers: [RoutersController, ExperimentsController],
      providers: [RoutersService, ExperimentsService],
    };
  }
}
