import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CurrentIdentity, RequirePermission } from '@iam/authz-cache';
import type { ResolvedIdentity } from '@iam/contracts';
import { ExperimentsService } from '../experiments/experiments.service';
import { CreateRouterDto, Router, UpdateRouterDto } from './router.dto';
import { RoutersService } from './routers.service';

/** Turing routers: every route is authorized by the cache module's guard. */
@Controller('v1/projects/:project/routers')
export class RoutersController {
  constructor(
    private readonly routers: RoutersService,
    private readonly experiments: ExperimentsService,
  ) {}

  @Get()
  @RequirePermission('routers.read', 'projects:{project}:routers')
  list(@Param('project') project: string): Router[] {
    return this.routers.list(project);
  }

  @Post()
  @RequirePermission('routers.write', 'projects:{project}:routers')
  create(@Param('project') project: string, @Body() body: CreateRouterDto, @CurrentIdentity() identity: ResolvedIdentity): Router {
    return this.routers.create(project, body, identity.principal);
  }

  @Get(':id')
  @RequirePermission('routers.read', 'projects:{project}:routers:{id}')
  get(@Param('project') project: string, @Param('id') id: string): Router {
    return this.routers.get(project, id);
  }

  @Put(':id')
  @RequirePermission('routers.write', 'projects:{project}:routers:{id}')
  update(@Param('project') project: string, @Param('id') id: string, @Body() body: UpdateRouterDto): Router {
    return this.routers.update(project, id, body);
  }

  @Delete(':id')
  @HttpCode(200)
  @RequirePermission('routers.delete', 'projects:{project}:routers:{id}')
  delete(@Param('project') project: string, @Param('id') id: string): Router {
    const router = this.routers.delete(project, id);
    this.experiments.deleteForRouter(project, id);
    return router;
  }
}
