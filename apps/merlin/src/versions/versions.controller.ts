import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CurrentIdentity, RequirePermission } from '@iam/authz-cache';
import type { ResolvedIdentity } from '@iam/contracts';
import { CreateVersionDto, DeployVersionDto, ModelVersion } from './version.dto';
import { VersionsService } from './versions.service';

/** Versions of a merlin model, and deployment (its own action, `models.deploy`). */
@Controller('v1/projects/:project/models/:id/versions')
export class VersionsController {
  constructor(private readonly versions: VersionsService) {}

  @Get()
  @RequirePermission('models.read', 'projects:{project}:models:{id}:versions')
  list(@Param('project') project: string, @Param('id') id: string): ModelVersion[] {
    return this.versions.list(project, id);
  }

  @Post()
  @RequirePermission('models.write', 'projects:{project}:models:{id}:versions')
  create(
    @Param('project') project: string,
    @Param('id') id: string,
    @Body() body: CreateVersionDto,
    @CurrentIdentity() identity: ResolvedIdentity,
  ): ModelVersion {
    return this.versions.create(project, id, body, identity.principal);
  }

  @Post(':v/deploy')
  @RequirePermission('models.deploy', 'projects:{project}:models:{id}:versions:{v}')
  deploy(
    @Param('project') project: string,
    @Param('id') id: string,
    @Param('v') v: string,
    @Body() body: DeployVersionDto,
    @CurrentIdentity() identity: ResolvedIdentity,
  ): ModelVersion {
    return this.versions.deploy(project, id, v, body ?? {}, identity.principal);
  }
}
