import { DynamicModule, Module } from '@nestjs/common';
import { AuthzCacheModule, authzOptionsFromEnv } from '@iam/authz-cache';
import { ModelsController } from './models/models.controller';
import { ModelsService } from './models/models.service';
import { VersionsController } from './versions/versions.controller';
import { VersionsService } from './versions/versions.service';

/**
 * Merlin: models, versions and deployments. The cache module brings the
 * guard behind `@RequirePermission`, `/health`, `/metrics` and `/admin/cache/*`.
 */
@Module({})
export class MerlinModule {
  /** The module configured from `env` (not `process.env`, so several instances can run in one process). */
  static register(env: NodeJS.ProcessEnv): DynamicModule {
    return {
      module: MerlinModule,
      imports: [AuthzCacheModule.forRoot(authzOptionsFromEnv(env, { serviceName: 'merlin' }))],
      controllers: [ModelsController, VersionsController],
      providers: [ModelsService, VersionsService],
    };
  }
}
