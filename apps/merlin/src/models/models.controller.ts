import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentIdentity, RequirePermission } from '@iam/authz-cache';
import type { ResolvedIdentity } from '@iam/contracts';
import { VersionsService } from '../versions/versions.service';
import { CreateModelDto, Model } from './model.dto';
import { ModelsService } from './models.service';

/** Merlin models: every route is authorized by the cache module's guard. */
@Controller('v1/projects/:project/models')
export class ModelsController {
  constructor(
    private readonly models: ModelsService,
    private readonly versions: VersionsService,
  ) {}

  @Get()
  @RequirePermission('models.read', 'projects:{project}:models')
  list(@Param('project') project: string): Model[] {
    return this.models.list(project);
  }

  @Post()
  @RequirePermission('models.write', 'projects:{project}:models')
  create(@Param('project') project: string, @Body() body: CreateModelDto, @CurrentIdentity() identity: ResolvedIdentity): Model {
    return this.models.create(project, body, identity.principal);
  }

  @Get(':id')
  @RequirePermission('models.read', 'projects:{project}:models:{id}')
  get(@Param('project') project: string, @Param('id') id: string): Model {
    return this.models.get(project, id);
  }

  @Delete(':id')
  @HttpCode(200)
  @RequirePermission('models.write', 'projects:{project}:models:{id}')
  delete(@Param('project') project: string, @Param('id') id: string): Model {
    const model = this.models.delete(project, id);
    this.versions.deleteForModel(project, id);
    return model;
  }
}
