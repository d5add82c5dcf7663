import type { Database } from '../storage/database';
import type { PrincipalsRepository } from '../storage/principals.repository';
import { RecordingRunner } from '../../../../test/support/recording-runner';
import { PrincipalsService } from './principals.service';

const ADA = 'user:ada@example.com';
const record = { id: ADA, displayName: null, disabled: false, createdAt: new Date(0).toISOString(), groups: [] };

function setup(overrides: Partial<Record<keyof PrincipalsRepository, jest.Mock>> = {}) {
  const repo = {
    insert: jest.fn().mockResolvedValue(true),
    find: jest.fn().mockResolvedValue(record),
    list: jest.fn().mockResolvedValue([record]),
    exists: jest.fn().mockResolvedValue(true),
    isDisabled: jest.fn().mockResolvedValue(false),
    disable: jest.fn().mockResolvedValue(true),
    tokenIdsOf: jest.fn().mockResolvedValue(['00000000000000aa', '00000000000000bb']),
    delete: jest.fn().mockResolvedValue(undefined),
    insertToken: jest.fn().mockResolvedValue(null),
    lockToken: jest.fn().mockResolvedValue({ principalId: ADA, revoked: false, expiresAt: null }),
    revokeToken: jest.fn().mockResolvedValue(undefined),
    ...overrides,
  };
  const runner = new RecordingRunner();
  const service = new PrincipalsService({} as Database, runner.asRunner(), repo as unknown as PrincipalsRepository);
  return { repo, runner, service };
}

describe('PrincipalsService', () => {
  it('creates a principal with one event tagged with it', async () => {
    const { service, runner } = setup();
    expect(await service.create('admin', { id: ADA })).toMatchObject({ id: ADA, revision: 1 });
    expect(runner.events).toEqual([{ type: 'principal.created', tags: [`p:${ADA}`], payload: { principalId: ADA, displayName: undefined } }]);
  });

  it('refuses a malformed id (400) and an existing one (409), emitting nothing', async () => {
    const { service, runner } = setup({ insert: jest.fn().mockResolvedValue(false) });
    expect(() => service.create('admin', { id: 'ada' })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', field: 'id' }));
    await expect(service.create('admin', { id: ADA })).rejects.toMatchObject({ code: 'CONFLICT', field: 'id' });
    expect(runner.events).toEqual([]);
  });

  it('deletes a principal with its tokens: tags the principal and each token', async () => {
    const { service, runner, repo } = setup();
    expect(await service.delete('admin', ADA)).toMatchObject({ deleted: true, tokenIds: ['00000000000000aa', '00000000000000bb'] });
    expect(repo.delete).toHaveBeenCalledWith(runner.tx, ADA);
    expect(runner.events[0]).toMatchObject({ type: 'principal.deleted', tags: [`p:${ADA}`, 'tok:00000000000000aa', 'tok:00000000000000bb'] });
  });

  it('answers 404 for a missing principal on get, disable and delete', async () => {
    const { service } = setup({ find: jest.fn().mockResolvedValue(null), disable: jest.fn().mockResolvedValue(false), exists: jest.fn().mockResolvedValue(false) });
    await expect(service.get(ADA)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.disable('admin', ADA)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.delete('admin', ADA)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('mints a token shown once, tagged with the token only; refuses a disabled owner (409) and a bad ttl (400)', async () => {
    const { service, runner } = setup();
    const minted = await service.createToken('admin', ADA, { ttlSeconds: 60 });
    expect(minted.token).toMatch(new RegExp(`^iam_${minted.tokenId}_`));
    expect(runner.events[0]).toMatchObject({ type: 'token.created', tags: [`tok:${minted.tokenId}`] });
    expect(() => service.createToken('admin', ADA, { ttlSeconds: 0 })).toThrow(expect.objectContaining({ field: 'ttlSeconds' }));
    const disabled = setup({ isDisabled: jest.fn().mockResolvedValue(true) });
    await expect(disabled.service.createToken('admin', ADA, {})).rejects.toMatchObject({ code: 'CONFLICT' });
    const missing = setup({ isDisabled: jest.fn().mockResolvedValue(null) });
    await expect(missing.service.createToken('admin', ADA, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('revokes a token once: 409 when already revoked, 404 when unknown', async () => {
    const { service, runner } = setup();
    expect(await service.revokeToken('admin', '00000000000000aa')).toMatchObject({ revoked: true, principal: ADA });
    expect(runner.events[0]).toMatchObject({ type: 'token.revoked', tags: ['tok:00000000000000aa'] });
    const revoked = setup({ lockToken: jest.fn().mockResolvedValue({ principalId: ADA, revoked: true, expiresAt: null }) });
    await expect(revoked.service.revokeToken('admin', '00000000000000aa')).rejects.toMatchObject({ code: 'CONFLICT' });
    const unknown = setup({ lockToken: jest.fn().mockResolvedValue(null) });
    await expect(unknown.service.revokeToken('admin', '00000000000000aa')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
