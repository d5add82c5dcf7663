import type { Database } from '../storage/database';
import type { GroupsRepository } from '../storage/groups.repository';
import type { PrincipalsRepository } from '../storage/principals.repository';
import { GroupsService } from './groups.service';
import { RecordingRunner } from '../../../../test/support/recording-runner';

const ADA = 'user:ada@example.com';

function setup(overrides: Partial<Record<keyof GroupsRepository, jest.Mock>> = {}, principalExists = true) {
  const repo = {
    insert: jest.fn().mockResolvedValue(true),
    exists: jest.fn().mockResolvedValue(true),
    members: jest.fn().mockResolvedValue([ADA, 'sa:ci']),
    delete: jest.fn().mockResolvedValue(undefined),
    addMember: jest.fn().mockResolvedValue(true),
    removeMember: jest.fn().mockResolvedValue(true),
    ...overrides,
  };
  const principals = { exists: jest.fn().mockResolvedValue(principalExists) };
  const runner = new RecordingRunner();
  const service = new GroupsService({} as Database, runner.asRunner(), repo as unknown as GroupsRepository, principals as unknown as PrincipalsRepository);
  return { repo, runner, service };
}

describe('GroupsService', () => {
  it('creates a group (409 when it exists)', async () => {
    const { service, runner } = setup();
    expect(await service.create('admin', { id: 'group:eng' })).toEqual({ id: 'group:eng', members: [], revision: 1 });
    expect(runner.events[0]).toMatchObject({ type: 'group.created', tags: ['g:group:eng'] });
    await expect(setup({ insert: jest.fn().mockResolvedValue(false) }).service.create('admin', { id: 'group:eng' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('deletes a group: tags the group and every member it had', async () => {
    const { service, runner } = setup();
    await service.delete('admin', 'group:eng');
    expect(runner.events[0]).toMatchObject({ type: 'group.deleted', tags: ['g:group:eng', `p:${ADA}`, 'p:sa:ci'], payload: { members: [ADA, 'sa:ci'] } });
  });

  it('adds a member once: the second add changes nothing and emits nothing', async () => {
    const { service, runner, repo } = setup();
    expect(await service.addMember('admin', 'group:eng', ADA)).toMatchObject({ member: true, revision: 1 });
    repo.addMember.mockResolvedValue(false);
    expect(await service.addMember('admin', 'group:eng', ADA)).toMatchObject({ member: true, revision: 1 });
    expect(runner.events).toHaveLength(1);
    expect(runner.events[0]).toMatchObject({ type: 'group.member.added', tags: [`p:${ADA}`, 'g:group:eng'] });
  });

  it('answers 404 for a missing group, a missing principal, and a non-member', async () => {
    await expect(setup({ exists: jest.fn().mockResolvedValue(false) }).service.addMember('admin', 'group:eng', ADA)).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    await expect(setup({}, false).service.addMember('admin', 'group:eng', ADA)).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'principal' });
    await expect(setup({ removeMember: jest.fn().mockResolvedValue(false) }).service.removeMember('admin', 'group:eng', ADA)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
