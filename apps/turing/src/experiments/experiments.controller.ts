import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentIdentity, RequirePermission } from '@iam/authz-cache';
import type { ResolvedIdentity } from '@iam/contracts';
import { CreateExperimentDto, Experiment } from './experiment.dto';
import { ExperimentsService } from './experiments.service';

/** Experiments under a Turing router. */
@Controller('v1/projects/:project/routers/:id/experiments')
export class ExperimentsController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Get()
  @RequirePermission('experiments.read', 'projects:{project}:routers:{id}:experiments')
  list(@Param('project') project: string, @Param('id') id: string): Experiment[] {
    return this.experiments.list(project, id);
  }

  @Post()
  @RequirePermission('experiments.write', 'projects:{project}:routers:{id}:experiments')
  create(
    @Param('project') project: string,
    @Param('id') id: string,
    @Body() body: CreateExperimentDto,
    @CurrentIdentity() identity: ResolvedIdentity,
  ): Experiment {
    return this.experiments.create(project, id, body, identity.principal);
  }

  @Get(':expId')
  @RequirePermission('experiments.read', 'projects:{project}:routers:{id}:experiments:{expId}')
  get(@Param('project') project: string, @Param('id') id: string, @Param('expId') expId: string): Experiment {
    return this.experiments.get(project, id, expId);
  }

  @Delete(':expId')
  @HttpCode(200)
  @RequirePermission('experiments.write', 'projects:{project}:routers:{id}:experiments:{expId}')
  delete(@Param('project') project: string, @Param('id') id: string, @Param('expId') expId: string): Experiment {
    return this.experiments.delete(project, id, expId);
  }
}
