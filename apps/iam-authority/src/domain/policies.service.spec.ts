import type { Database } from '../storage/database';
import type { GroupsRepository } from '../storage/groups.repository';
import type { PoliciesRepository } from '../storage/policies.repository';
import type { PrincipalsRepository } from '../storage/principals.repository';
import { RecordingRunner } from '../../../../test/support/recording-runner';
import { PoliciesService } from './policies.service';

const ADA = 'user:ada@example.com';
const POLICY = 'pol_0123456789abcdef';
const body = { subjects: [ADA, 'group:eng'], actions: ['routers.read'], resources: ['projects:1:**'], effect: 'allow' as const };

function setup(overrides: Partial<Record<keyof PoliciesRepository, jest.Mock>> = {}, exists = { principal: true, group: true }) {
  const repo = {
    insertRole: jest.fn().mockResolvedValue(true),
    updateRole: jest.fn().mockResolvedValue(true),
    findRole: jest.fn().mockResolvedValue(['routers.read']),
    policyIdsOfRole: jest.fn().mockResolvedValue([POLICY]),
    deleteRole: jest.fn().mockResolvedValue([POLICY]),
    insertPolicy: jest.fn().mockResolvedValue(undefined),
    updatePolicy: jest.fn().mockResolvedValue(undefined),
    findPolicy: jest.fn().mockResolvedValue({ id: POLICY, subjects: ['sa:old'], actions: ['a'], resources: ['b'], effect: 'allow' }),
    listPolicies: jest.fn().mockResolvedValue([]),
    deletePolicy: jest.fn().mockResolvedValue(undefined),
    ...overrides,
  };
  const principals = { exists: jest.fn().mockResolvedValue(exists.principal) };
  const groups = { exists: jest.fn().mockResolvedValue(exists.group) };
  const runner = new RecordingRunner();
  const service = new PoliciesService(
    {} as Database,
    runner.asRunner(),
    repo as unknown as PoliciesRepository,
    principals as unknown as PrincipalsRepository,
    groups as unknown as GroupsRepository,
  );
  return { repo, runner, service };
}

describe('PoliciesService', () => {
  it('creates a policy: tags the policy and each subject', async () => {
    const { service, runner, repo } = setup();
    const created = await service.createPolicy('admin', body);
    expect(created.id).toMatch(/^pol_[0-9a-f]{16}$/);
    expect(repo.insertPolicy).toHaveBeenCalledWith(runner.tx, { id: created.id, ...body });
    expect(runner.events[0]).toMatchObject({ type: 'policy.created', tags: [`pol:${created.id}`, `p:${ADA}`, 'g:group:eng'] });
  });

  it('refuses role and actions together (400) and a subject that does not exist (404 naming it)', async () => {
    const { service } = setup();
    expect(() => service.createPolicy('admin', { ...body, role: 'reader' })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', field: 'actions' }));
    await expect(setup({}, { principal: true, group: false }).service.createPolicy('admin', body)).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'subjects.1' });
    await expect(setup({ findRole: jest.fn().mockResolvedValue(null) }).service.createPolicy('admin', { ...body, actions: undefined, role: 'ghost' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      field: 'role',
    });
  });

  it('updates a policy: tags its subjects before and after', async () => {
    const { service, runner } = setup();
    await service.updatePolicy('admin', POLICY, body);
    expect(runner.events[0]).toMatchObject({ type: 'policy.updated', tags: [`pol:${POLICY}`, 'p:sa:old', `p:${ADA}`, 'g:group:eng'] });
  });

  it('updates a role: tags every policy using it; deletes a role with its policies: tags those', async () => {
    const { service, runner } = setup();
    await service.updateRole('admin', 'reader', { actions: ['routers.*'] });
    await service.deleteRole('admin', 'reader');
    expect(runner.events.map((e) => [e.type, e.tags])).toEqual([
      ['role.updated', [`pol:${POLICY}`]],
      ['role.deleted', [`pol:${POLICY}`]],
    ]);
  });

  it('answers 404 for a missing role or policy', async () => {
    const { service } = setup({ updateRole: jest.fn().mockResolvedValue(false), findPolicy: jest.fn().mockResolvedValue(null), findRole: jest.fn().mockResolvedValue(null) });
    await expect(service.updateRole('admin', 'reader', { actions: ['a'] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.deleteRole('admin', 'reader')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.getRole('reader')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.deletePolicy('admin', POLICY)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.getPolicy(POLICY)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
