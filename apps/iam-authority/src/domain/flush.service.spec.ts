import { FlushService } from './flush.service';
import { RecordingRunner } from '../../../../test/support/recording-runner';

describe('FlushService', () => {
  it.each([
    ['all', 'all', { type: 'cache.flush', tags: [], payload: { scope: 'all', reason: 'incident' } }],
    ['a tenant', { tenant: 'acme' }, { type: 'cache.flush', tags: [], tenant: 'acme', payload: { scope: 'tenant', tenant: 'acme', reason: 'incident' } }],
    ['a principal', { principal: 'sa:ci' }, { type: 'cache.flush', tags: ['p:sa:ci'], payload: { scope: 'principal', principal: 'sa:ci', reason: 'incident' } }],
  ])('emits one cache.flush event for %s', async (_name, scope, event) => {
    const runner = new RecordingRunner();
    await new FlushService(runner.asRunner()).flush('admin', scope as never, 'incident');
    expect(runner.events).toEqual([event]);
  });

  it.each([
    [{ tenant: '' }, 'scope'],
    ['everything', 'scope'],
    [{ principal: 'ada' }, 'scope.principal'],
  ])('refuses scope %j naming %s, emitting nothing', async (scope, field) => {
    const runner = new RecordingRunner();
    await expect(new FlushService(runner.asRunner()).flush('admin', scope as never)).rejects.toMatchObject({ code: 'INVALID_REQUEST', field });
    expect(runner.events).toEqual([]);
  });

  it('refuses a reason longer than 1024 characters', () => {
    expect(() => new FlushService(new RecordingRunner().asRunner()).flush('admin', 'all', 'x'.repeat(1025))).toThrow(expect.objectContaining({ field: 'reason' }));
  });
});
