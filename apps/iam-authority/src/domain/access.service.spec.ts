import { IamEvent } from '@iam/contracts';
import type { IdentityRepository, StoredToken } from '../storage/identity.repository';
import type { ModelChanges } from '../storage/model.repository';
import { AccessService } from './access.service';
import { ModelSnapshot } from './authority-model';
import { ModelFollower, ModelSource } from './model-follower';
import { hashSecret } from './tokens';

const ADA = 'user:ada@example.com';
const SECRET = 'a'.repeat(43);
const TOKEN_ID = '0123456789abcdef';
const TOKEN = `iam_${TOKEN_ID}_${SECRET}`;

const SNAPSHOT: ModelSnapshot = {
  revision: 4,
  principals: [
    { id: ADA, disabled: false },
    { id: 'sa:off', disabled: true },
  ],
  groups: ['group:eng'],
  memberships: [{ groupId: 'group:eng', principalId: ADA }],
  roles: [{ id: 'reader', actions: ['routers.read'] }],
  policies: [
    { id: 'pol_0000000000000001', effect: 'allow', subjects: ['group:eng'], role: 'reader', actions: null, resources: ['projects:**'] },
    { id: 'pol_0000000000000002', effect: 'deny', subjects: [ADA], role: null, actions: ['routers.*'], resources: ['projects:9'] },
    { id: 'pol_0000000000000003', effect: 'allow', subjects: ['sa:off'], role: null, actions: ['*'], resources: ['**'] },
  ],
};

/** The database: a snapshot, then whatever `commit` adds (another replica's commit, announced by NOTIFY). */
function sourceOf(snapshot: ModelSnapshot) {
  const outbox: IamEvent[] = [];
  let counter = snapshot.revision;
  let notify: (revision: number) => void = () => undefined;
  const source: ModelSource = {
    loadSnapshot: async () => snapshot,
    changesSince: async (after: number): Promise<ModelChanges> => ({ revision: counter, events: outbox.filter((e) => e.revision > after), truncated: false }),
    currentRevision: async () => counter,
    listen: async (_channel, onSignal) => {
      notify = onSignal;
      return async () => undefined;
    },
  };
  const commit = (e: IamEvent) => {
    outbox.push(e);
    counter = e.revision;
    notify(e.revision);
  };
  return { source, commit };
}

function identities(token: StoredToken | null, revision = 4): IdentityRepository {
  return { findToken: async () => ({ revision, token }) } as unknown as IdentityRepository;
}

const stored = (over: Partial<StoredToken> = {}): StoredToken => ({
  secretHash: hashSecret(SECRET),
  principalId: ADA,
  expiresAt: null,
  revoked: false,
  principalDisabled: false,
  groups: ['group:eng'],
  ...over,
});

describe('AccessService', () => {
  const followers: ModelFollower[] = [];
  async function serviceWith(token: StoredToken | null = null) {
    const db = sourceOf(SNAPSHOT);
    const follower = new ModelFollower(db.source, { pollMs: 0, acknowledgeWaitMs: 50 });
    followers.push(follower);
    await follower.start();
    return { access: new AccessService(follower, identities(token), { revisionWaitMs: 30 }), follower, commit: db.commit };
  }
  afterEach(async () => {
    for (const follower of followers.splice(0)) await follower.stop();
  });

  describe('check (from the model, no SQL)', () => {
    it('allows through a group and a role, with every group and applicable policy as tags, at the model revision', async () => {
      const { access } = await serviceWith();
      const answer = await access.check({ principal: ADA, action: 'routers.read', resource: 'projects:1' });
      expect(answer).toEqual({
        allowed: true,
        revision: 4,
        decidedBy: 'pol_0000000000000001',
        tags: [`p:${ADA}`, 'r:projects:1', 'g:group:eng', 'pol:pol_0000000000000001', 'pol:pol_0000000000000002'],
      });
    });

    it('lets an explicit deny win, and denies by default', async () => {
      const { access } = await serviceWith();
      expect(await access.check({ principal: ADA, action: 'routers.read', resource: 'projects:9' })).toMatchObject({ allowed: false, decidedBy: 'pol_0000000000000002' });
      expect(await access.check({ principal: ADA, action: 'models.deploy', resource: 'projects:1' })).toMatchObject({ allowed: false, decidedBy: null });
    });

    it('denies unknown and disabled principals with the principal and resource tags only', async () => {
      const { access } = await serviceWith();
      for (const principal of ['sa:off', 'sa:ghost']) {
        expect(await access.check({ principal, action: 'x.y', resource: 'a' })).toEqual({ allowed: false, revision: 4, tags: [`p:${principal}`, 'r:a'], decidedBy: null });
      }
    });

    it('waits for atLeastRevision to arrive, and refuses (412 code) one that does not, naming its own revision', async () => {
      const { access, commit } = await serviceWith();
      const waiting = access.check({ principal: ADA, action: 'routers.read', resource: 'projects:1', atLeastRevision: 5 });
      commit({ id: 'e5', revision: 5, type: 'principal.disabled', payload: { principalId: ADA }, tags: [], time: '', actor: 't' } as unknown as IamEvent);
      expect(await waiting).toMatchObject({ allowed: false, revision: 5 });
      await expect(access.check({ principal: ADA, action: 'a', resource: 'b', atLeastRevision: 9 })).rejects.toMatchObject({
        code: 'REVISION_NOT_REACHED',
        field: 'atLeastRevision',
        revision: 5,
      });
    });

    it('never answers below a revision the replica acknowledged', async () => {
      const { access, follower } = await serviceWith();
      await follower.acknowledge(6); // a mutation answered 6; the model cannot reach it
      await expect(access.check({ principal: ADA, action: 'a', resource: 'b' })).rejects.toMatchObject({ code: 'REVISION_NOT_REACHED', revision: 4 });
    });

    it.each([
      [{ principal: 'ada', action: 'a', resource: 'b' }, 'principal'],
      [{ principal: ADA, action: 'A B', resource: 'b' }, 'action'],
      [{ principal: ADA, action: 'a', resource: '' }, 'resource'],
      [{ principal: ADA, action: 'a', resource: 'b', atLeastRevision: -1 }, 'atLeastRevision'],
    ])('refuses %j naming %s', async (request, field) => {
      const { access } = await serviceWith();
      await expect(access.check(request as never)).rejects.toMatchObject({ code: 'INVALID_REQUEST', field });
    });
  });

  describe('resolveIdentity (tokens from the database)', () => {
    it('resolves a valid token to its principal, groups and tags', async () => {
      const { access } = await serviceWith(stored());
      expect(await access.resolveIdentity(TOKEN)).toEqual({
        principal: ADA,
        groups: ['group:eng'],
        tokenId: TOKEN_ID,
        expiresAt: null,
        revision: 4,
        tags: [`tok:${TOKEN_ID}`, `p:${ADA}`, 'g:group:eng'],
      });
    });

    it.each([
      ['malformed', stored(), 'not-a-token'],
      ['unknown', null, TOKEN],
      ['wrong secret', stored({ secretHash: hashSecret('b'.repeat(43)) }), TOKEN],
      ['revoked', stored({ revoked: true }), TOKEN],
      ['of a disabled principal', stored({ principalDisabled: true }), TOKEN],
      ['expired', stored({ expiresAt: new Date(Date.now() - 1000).toISOString() }), TOKEN],
    ])('answers TOKEN_INVALID for a %s token', async (_case, token, presented) => {
      const { access } = await serviceWith(token);
      await expect(access.resolveIdentity(presented)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    });
  });
});
