import { Injectable } from '@nestjs/common';
import { invalidRequest, notFound } from '@iam/service-kit';
import { RoutersService } from '../routers/routers.service';
import { CreateExperimentDto, Experiment } from './experiment.dto';

/** Experiments under a router, in process memory. */
@Injectable()
export class ExperimentsService {
  /** Keyed by `${project}/${routerId}`. */
  private readonly experiments = new Map<string, Map<string, Experiment>>();
  private nextId = 1;

  constructor(private readonly routers: RoutersService) {}

  list(project: string, routerId: string): Experiment[] {
    this.routers.get(project, routerId);
    return [...(this.experiments.get(key(project, routerId))?.values() ?? [])];
  }

  get(project: string, routerId: string, id: string): Experiment {
    this.routers.get(project, routerId);
    const experiment = this.experiments.get(key(project, routerId))?.get(id);
    if (!experiment) throw notFound(`experiment ${id} not found under router ${routerId}`);
    return experiment;
  }

  create(project: string, routerId: string, body: CreateExperimentDto, createdBy: string): Experiment {
    this.routers.get(project, routerId);
    const total = body.variants.reduce((sum, variant) => sum + variant.weight, 0);
    if (total !== 100) throw invalidRequest('variants', `variant weights must add up to 100, not ${total}`);
    const names = new Set(body.variants.map((variant) => variant.name));
    if (names.size !== body.variants.length) throw invalidRequest('variants', 'variant names must be unique');
    const experiment: Experiment = {
      id: String(this.nextId++),
      project,
      routerId,
      name: body.name,
      variants: body.variants.map(({ name, weight }) => ({ name, weight })),
      status: 'draft',
      createdBy,
      createdAt: new Date().toISOString(),
    };
    let underRouter = this.experiments.get(key(project, routerId));
    if (!underRouter) this.experiments.set(key(project, routerId), (underRouter = new Map()));
    underRouter.set(experiment.id, experiment);
    return experiment;
  }

  delete(project: string, routerId: string, id: string): Experiment {
    const experiment = this.get(project, routerId, id);
    this.experiments.get(key(project, routerId))!.delete(id);
    return experiment;
  }

  /** Drops every experiment of a deleted router. */
  deleteForRouter(project: string, routerId: string): void {
    this.experiments.delete(key(project, routerId));
  }
}

function key(project: string, routerId: string): string {
  return `${project}/${routerId}`;
}
