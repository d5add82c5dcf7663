import { Injectable } from '@nestjs/common';
import { notFound } from '@iam/service-kit';
import { CreateRouterDto, Router, UpdateRouterDto } from './router.dto';

/**
 * Routers per project, in process memory (the point of this service is the
 * authorization in front of it, not the storage). Ids are per-service
 * increasing integers, so resources read like `projects:42:routers:7`.
 */
@Injectable()
export class RoutersService {
  private readonly routers = new Map<string, Map<string, Router>>();
  private nextId = 1;

  list(project: string): Router[] {
    return [...(this.routers.get(project)?.values() ?? [])];
  }

  get(project: string, id: string): Router {
    const router = this.routers.get(project)?.get(id);
    if (!router) throw notFound(`router ${id} not found in project ${project}`);
    return router;
  }

  create(project: string, body: CreateRouterDto, createdBy: string): Router {
    const now = new Date().toISOString();
    const router: Router = {
      id: String(this.nextId++),
      project,
      name: body.name,
      description: body.description ?? '',
      environment: body.environment ?? 'staging',
      createdBy,
      createdAt: now,
      updatedAt: now,
    };
    let inProject = this.routers.get(project);
    if (!inProject) this.routers.set(project, (inProject = new Map()));
    inProject.set(router.id, router);
    return router;
  }

  update(project: string, id: string, body: UpdateRouterDto): Router {
    const current = this.get(project, id);
    const updated: Router = {
      ...current,
      name: body.name ?? current.name,
      description: body.description ?? current.description,
      environment: body.environment ?? current.environment,
      updatedAt: new Date().toISOString(),
    };
    this.routers.get(project)!.set(id, updated);
    return updated;
  }

  /** Deletes the router; its experiments go with it (the caller asks the experiments service). */
  delete(project: string, id: string): Router {
    const router = this.get(project, id);
    this.routers.get(project)!.delete(id);
    return router;
  }
}
