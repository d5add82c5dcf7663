import { Injectable } from '@nestjs/common';
import { notFound } from '@iam/service-kit';
import { CreateModelDto, Model } from './model.dto';

/** Models per project, in process memory; ids are increasing integers (`projects:42:models:3`). */
@Injectable()
export class ModelsService {
  private readonly models = new Map<string, Map<string, Model>>();
  private nextId = 1;

  list(project: string): Model[] {
    return [...(this.models.get(project)?.values() ?? [])];
  }

  get(project: string, id: string): Model {
    const model = this.models.get(project)?.get(id);
    if (!model) throw notFound(`model ${id} not found in project ${project}`);
    return model;
  }

  create(project: string, body: CreateModelDto, createdBy: string): Model {
    const model: Model = { id: String(this.nextId++), project, name: body.name, type: body.type, createdBy, createdAt: new Date().toISOString() };
    let inProject = this.models.get(project);
    if (!inProject) this.models.set(project, (inProject = new Map()));
    inProject.set(model.id, model);
    return model;
  }

  delete(project: string, id: string): Model {
    const model = this.get(project, id);
    this.models.get(project)!.delete(id);
    return model;
  }
}
