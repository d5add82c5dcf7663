import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ModelsService } from '../models/models.service';
import { VersionsService } from './versions.service';

describe('VersionsService', () => {
  let models: ModelsService;
  let versions: VersionsService;
  let modelId: string;

  beforeEach(() => {
    models = new ModelsService();
    versions = new VersionsService(models);
    modelId = models.create('42', { name: 'churn', type: 'sklearn' }, 'sa:ci').id;
  });

  it('numbers versions from 1 and lists them', () => {
    const v1 = versions.create('42', modelId, { artifactUri: 'gs://models/churn/1' }, 'sa:ci');
    const v2 = versions.create('42', modelId, { artifactUri: 'gs://models/churn/2' }, 'sa:ci');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(versions.list('42', modelId)).toEqual([v1, v2]);
  });

  it('deploys a version to staging by default', () => {
    versions.create('42', modelId, { artifactUri: 'gs://models/churn/1' }, 'sa:ci');
    const deployed = versions.deploy('42', modelId, '1', {}, 'user:ada@example.com');
    expect(deployed.deployment).toMatchObject({ environment: 'staging', deployedBy: 'user:ada@example.com' });
    expect(versions.list('42', modelId)[0].deployment?.endpoint).toContain('churn-1.staging');
  });

  it('rejects a malformed version number (400 naming v) and answers 404 for a missing one', () => {
    expect(() => versions.deploy('42', modelId, 'latest', {}, 'sa:ci')).toThrow(BadRequestException);
    expect(() => versions.deploy('42', modelId, '3', {}, 'sa:ci')).toThrow(NotFoundException);
    expect(() => versions.create('42', '999', { artifactUri: 'gs://x/y' }, 'sa:ci')).toThrow(NotFoundException);
  });

  it('forgets the versions of a deleted model', () => {
    versions.create('42', modelId, { artifactUri: 'gs://models/churn/1' }, 'sa:ci');
    versions.deleteForModel('42', modelId);
    expect(versions.list('42', modelId)).toEqual([]);
  });
});
