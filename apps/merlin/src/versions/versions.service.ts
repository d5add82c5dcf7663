import { Injectable } from '@nestjs/common';
import { invalidRequest, notFound } from '@iam/service-kit';
import { ModelsService } from '../models/models.service';
import { CreateVersionDto, DeployVersionDto, ModelVersion } from './version.dto';

/** Versions of a model (1, 2, ...) and their (pretend) deployments, in process memory. */
@Injectable()
export class VersionsService {
  /** Keyed by `${project}/${modelId}`, versions in creation order. */
  private readonly versions = new Map<string, ModelVersion[]>();

  constructor(private readonly models: ModelsService) {}

  list(project: string, modelId: string): ModelVersion[] {
    this.models.get(project, modelId);
    return [...(this.versions.get(key(project, modelId)) ?? [])];
  }

  create(project: string, modelId: string, body: CreateVersionDto, createdBy: string): ModelVersion {
    this.models.get(project, modelId);
    let versions = this.versions.get(key(project, modelId));
    if (!versions) this.versions.set(key(project, modelId), (versions = []));
    const version: ModelVersion = {
      modelId,
      project,
      version: versions.length + 1,
      artifactUri: body.artifactUri,
      description: body.description ?? '',
      createdBy,
      createdAt: new Date().toISOString(),
      deployment: null,
    };
    versions.push(version);
    return version;
  }

  /** Marks version `v` deployed (to `staging` unless told otherwise). */
  deploy(project: string, modelId: string, v: string, body: DeployVersionDto, deployedBy: string): ModelVersion {
    const model = this.models.get(project, modelId);
    if (!/^[1-9]\d{0,8}$/.test(v)) throw invalidRequest('v', 'v must be a version number (1, 2, ...)');
    const versions = this.versions.get(key(project, modelId)) ?? [];
    const index = Number(v) - 1;
    if (!versions[index]) throw notFound(`version ${v} of model ${modelId} not found`);
    const environment = body.environment ?? 'staging';
    const deployed: ModelVersion = {
      ...versions[index],
      deployment: {
        environment,
        endpoint: `http://${model.name}-${v}.${environment}.models.local/v1/predict`,
        deployedBy,
        deployedAt: new Date().toISOString(),
      },
    };
    versions[index] = deployed;
    return deployed;
  }

  /** Drops every version of a deleted model. */
  deleteForModel(project: string, modelId: string): void {
    this.versions.delete(key(project, modelId));
  }
}

function key(project: string, modelId: string): string {
  return `${project}/${modelId}`;
}
