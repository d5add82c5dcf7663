import { createEvent, ResolvedIdentity } from '@iam/contracts';
import { AuthzCacheCore } from './authz-cache-core';
import { identity, ManualClock } from './testing/fake-authority';

const TOKEN_ID = '0123456789abcdef';
const SECRET = 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg';
const TOKEN = `iam_${TOKEN_ID}_${SECRET}`;

function setup(answers: (token: string) => ResolvedIdentity | null, clock = new ManualClock()) {
  const calls: string[] = [];
  const core = new AuthzCacheCore({
    loadDecision: async () => ({ allowed: true, revision: 1, tags: [] }),
    loadIdentity: async (token) => {
      calls.push(token);
      return answers(token);
    },
    now: clock.now,
  });
  return { core, calls, clock };
}

describe('AuthzCacheCore identities', () => {
  it('caches a resolved identity per partition', async () => {
    const { core, calls } = setup(() => identity(TOKEN_ID, 'user:ann@x.io', 1));
    const p = core.claimPartition();
    expect((await core.resolveIdentity(p, TOKEN)).source).toBe('miss');
    const hit = await core.resolveIdentity(p, TOKEN);
    expect(hit).toEqual({ value: expect.objectContaining({ principal: 'user:ann@x.io' }), source: 'hit' });
    expect((await core.resolveIdentity(core.claimPartition(), TOKEN)).source).toBe('miss');
    expect(calls).toHaveLength(2);
  });

  it('caches unknown tokens as negative entries tagged tok:<tokenId>, busted by token.created', async () => {
    let known = false;
    const { core, calls } = setup(() => (known ? identity(TOKEN_ID, 'user:ann@x.io', 2) : null));
    expect((await core.resolveIdentity(1, TOKEN)).value).toBeNull();
    expect(await core.resolveIdentity(1, TOKEN)).toEqual({ value: null, source: 'hit' });
    known = true;
    const removed = core.apply(
      createEvent({ type: 'token.created', revision: 2, actor: 't', tags: [`tok:${TOKEN_ID}`], payload: { tokenId: TOKEN_ID, principalId: 'user:ann@x.io' } }),
    );
    expect(removed).toBe(1);
    expect((await core.resolveIdentity(1, TOKEN)).value?.principal).toBe('user:ann@x.io');
    expect(calls).toHaveLength(2);
  });

  it('policy, role and resource events leave identities alone; principal and group events bust them', async () => {
    let revision = 1;
    const { core, calls } = setup(() => identity(TOKEN_ID, 'user:ann@x.io', revision));
    await core.resolveIdentity(1, TOKEN);
    const tags = ['p:user:ann@x.io', `tok:${TOKEN_ID}`];
    const policy = { policyId: 'pol_1', subjects: ['user:ann@x.io'], role: 'reader', resources: ['projects:**'], effect: 'allow' as const };
    expect(core.apply(createEvent({ type: 'policy.deleted', revision: 2, actor: 't', tags, payload: { policyId: 'pol_1' } }))).toBe(0);
    expect(core.apply(createEvent({ type: 'policy.created', revision: 3, actor: 't', tags, payload: policy }))).toBe(0);
    expect(core.apply(createEvent({ type: 'role.updated', revision: 4, actor: 't', tags, payload: { roleId: 'reader', actions: [] } }))).toBe(0);
    expect(await core.resolveIdentity(1, TOKEN)).toEqual({ value: expect.objectContaining({ principal: 'user:ann@x.io' }), source: 'hit' });
    expect(calls).toHaveLength(1);
    const member = { groupId: 'group:ops', principalId: 'user:ann@x.io' };
    expect(core.apply(createEvent({ type: 'group.member.added', revision: 5, actor: 't', tags: ['p:user:ann@x.io', 'g:group:ops'], payload: member }))).toBe(1);
    revision = 5;
    expect((await core.resolveIdentity(1, TOKEN)).source).toBe('miss');
    expect(calls).toHaveLength(2);
  });

  it('token.revoked busts the identity in every partition', async () => {
    let revoked = false;
    const { core } = setup(() => (revoked ? null : identity(TOKEN_ID, 'user:ann@x.io', 1)));
    await core.resolveIdentity(1, TOKEN);
    await core.resolveIdentity(2, TOKEN);
    revoked = true;
    const removed = core.apply(
      createEvent({ type: 'token.revoked', revision: 2, actor: 't', tags: [`tok:${TOKEN_ID}`], payload: { tokenId: TOKEN_ID, principalId: 'user:ann@x.io' } }),
    );
    expect(removed).toBe(2);
    expect((await core.resolveIdentity(1, TOKEN)).value).toBeNull();
    expect((await core.resolveIdentity(2, TOKEN)).value).toBeNull();
  });

  it('a cached identity past its expiresAt resolves to null without asking', async () => {
    const clock = new ManualClock();
    const expiresAt = new Date(clock.value + 1000).toISOString();
    const { core, calls } = setup(() => identity(TOKEN_ID, 'user:ann@x.io', 1, expiresAt), clock);
    expect((await core.resolveIdentity(1, TOKEN)).value).not.toBeNull();
    clock.advance(1000);
    expect(await core.resolveIdentity(1, TOKEN)).toEqual({ value: null, source: 'hit' });
    expect((await core.resolveIdentity(1, TOKEN)).value).toBeNull();
    expect(calls).toHaveLength(1);
  });

  it('keys never contain the token: the snapshot JSON holds neither token nor secret', async () => {
    const { core } = setup(() => identity(TOKEN_ID, 'user:ann@x.io', 1));
    await core.resolveIdentity(1, TOKEN);
    const json = JSON.stringify(core.snapshot(10));
    expect(core.snapshot(10).identities).toHaveLength(1);
    expect(json).not.toContain(TOKEN);
    expect(json).not.toContain(SECRET);
  });
});

describe('AuthzCacheCore identities under a flood of unknown tokens', () => {
  it('keeps a known identity cached while unknown tokens churn their own small tier', async () => {
    const calls: string[] = [];
    const core = new AuthzCacheCore({
      loadDecision: async () => ({ allowed: true, revision: 1, tags: [] }),
      loadIdentity: async (token) => {
        calls.push(token);
        return token === TOKEN ? identity(TOKEN_ID, 'user:ann@x.io', 1) : null;
      },
      maxIdentities: 10,
      maxUnknownTokens: 50,
      now: new ManualClock().now,
    });
    expect((await core.resolveIdentity(1, TOKEN)).source).toBe('miss');
    for (let i = 0; i < 2_000; i++) {
      const id = i.toString(16).padStart(16, '0');
      expect((await core.resolveIdentity(1, `iam_${id}_${SECRET}`)).value).toBeNull();
    }
    expect(await core.resolveIdentity(1, TOKEN)).toEqual({ value: expect.objectContaining({ principal: 'user:ann@x.io' }), source: 'hit' });
    // One call for the real token (promotion does not ask again), one per unknown token; the tiers stay bounded.
    expect(calls.filter((t) => t === TOKEN)).toHaveLength(1);
    expect(core.stats().identityEntries).toBeLessThanOrEqual(10 + 50);
  });
});
