import { NotFoundException } from '@nestjs/common';
import { ModelsService } from './models.service';

describe('ModelsService', () => {
  let service: ModelsService;
  beforeEach(() => (service = new ModelsService()));

  it('creates, lists per project, gets and deletes models', () => {
    const model = service.create('42', { name: 'churn', type: 'sklearn' }, 'user:ada@example.com');
    expect(model).toMatchObject({ id: '1', project: '42', name: 'churn', type: 'sklearn', createdBy: 'user:ada@example.com' });
    expect(service.list('42')).toEqual([model]);
    expect(service.list('43')).toEqual([]);
    expect(service.get('42', model.id)).toEqual(model);
    service.delete('42', model.id);
    expect(() => service.get('42', model.id)).toThrow(NotFoundException);
  });

  it('does not find a model through another project', () => {
    const model = service.create('42', { name: 'churn', type: 'sklearn' }, 'sa:ci');
    expect(() => service.get('43', model.id)).toThrow(NotFoundException);
  });
});
