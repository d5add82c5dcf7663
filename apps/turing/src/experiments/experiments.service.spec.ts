import { BadRequestException, NotFoundException } from '@nestjs/common';
import { RoutersService } from '../routers/routers.service';
import { ExperimentsService } from './experiments.service';

describe('ExperimentsService', () => {
  let routers: RoutersService;
  let experiments: ExperimentsService;
  let routerId: string;

  beforeEach(() => {
    routers = new RoutersService();
    experiments = new ExperimentsService(routers);
    routerId = routers.create('42', { name: 'checkout' }, 'sa:ci').id;
  });

  const variants = [
    { name: 'control', weight: 50 },
    { name: 'treatment', weight: 50 },
  ];

  it('creates, lists, gets and deletes experiments under a router', () => {
    const created = experiments.create('42', routerId, { name: 'price-test', variants }, 'user:ada@example.com');
    expect(created).toMatchObject({ project: '42', routerId, name: 'price-test', status: 'draft', createdBy: 'user:ada@example.com' });
    expect(experiments.list('42', routerId)).toEqual([created]);
    expect(experiments.get('42', routerId, created.id)).toEqual(created);
    experiments.delete('42', routerId, created.id);
    expect(experiments.list('42', routerId)).toEqual([]);
  });

  it('refuses weights that do not add up to 100, naming the field', () => {
    try {
      experiments.create('42', routerId, { name: 'bad', variants: [{ name: 'a', weight: 60 }] }, 'sa:ci');
      throw new Error('expected a 400');
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestException);
      expect((error as BadRequestException).getResponse()).toMatchObject({ code: 'INVALID_REQUEST', field: 'variants' });
    }
  });

  it('answers 404 under a router that does not exist', () => {
    expect(() => experiments.list('42', '999')).toThrow(NotFoundException);
    expect(() => experiments.create('43', routerId, { name: 'x', variants }, 'sa:ci')).toThrow(NotFoundException);
  });

  it('forgets the experiments of a deleted router', () => {
    experiments.create('42', routerId, { name: 'price-test', variants }, 'sa:ci');
    experiments.deleteForRouter('42', routerId);
    const again = routers.create('42', { name: 'checkout' }, 'sa:ci').id;
    expect(experiments.list('42', again)).toEqual([]);
  });
});
