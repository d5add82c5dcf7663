import { NotFoundException } from '@nestjs/common';
import { RoutersService } from './routers.service';

describe('RoutersService', () => {
  let service: RoutersService;
  beforeEach(() => (service = new RoutersService()));

  it('creates routers with defaults and lists them per project', () => {
    const a = service.create('42', { name: 'checkout' }, 'user:ada@example.com');
    service.create('43', { name: 'search', environment: 'production' }, 'user:ada@example.com');
    expect(a).toMatchObject({ id: '1', project: '42', name: 'checkout', environment: 'staging', description: '', createdBy: 'user:ada@example.com' });
    expect(service.list('42').map((r) => r.name)).toEqual(['checkout']);
    expect(service.list('44')).toEqual([]);
  });

  it('updates only the given fields', () => {
    const created = service.create('42', { name: 'checkout', description: 'v1' }, 'sa:ci');
    const updated = service.update('42', created.id, { environment: 'production' });
    expect(updated).toMatchObject({ name: 'checkout', description: 'v1', environment: 'production' });
    expect(service.get('42', created.id)).toEqual(updated);
  });

  it('answers 404 for a router of another project or a deleted one', () => {
    const created = service.create('42', { name: 'checkout' }, 'sa:ci');
    expect(() => service.get('43', created.id)).toThrow(NotFoundException);
    service.delete('42', created.id);
    expect(() => service.get('42', created.id)).toThrow(NotFoundException);
    expect(() => service.update('42', created.id, {})).toThrow(NotFoundException);
  });
});
