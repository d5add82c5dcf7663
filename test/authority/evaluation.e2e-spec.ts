import { RPC_SUBJECTS } from '@iam/contracts';
import { databaseKinds } from '../support/database';
import { waitFor } from '../support/wait';
import { enc, rpc, useAuthoritySuite } from './authority-harness';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from '../support/credentials';

// Restarts of servers and processes take seconds, not jest's default 5.
jest.setTimeout(60_000);

/*
 * Acceptance 3 (evaluation semantics, one integration pass over HTTP and
 * NATS RPC; the evaluator's unit tests cover the matrix) and acceptance 4
 * (a check reflects a mutation at its revision; atLeastRevision ahead of the
 * authority is a clear error, never an older answer).
 */
describe.each(databaseKinds())('authority evaluation and consistency (%s)', (kind) => {
  const suite = useAuthoritySuite(kind);
  const ada = 'user:ada@example.com';
  const bob = 'user:bob@example.com';
  const bot = 'sa:deployer';

  beforeAll(async () => {
    for (const id of [ada, bob, bot]) await suite.api.ok('POST', '/v1/principals', { id });
    await suite.api.ok('POST', '/v1/groups', { id: 'group:eng' });
    await suite.api.ok('PUT', `/v1/groups/group:eng/members/${enc(ada)}`);
    await suite.api.ok('POST', '/v1/roles', { id: 'router-admin', actions: ['routers.*'] });
    // Group inheritance, `**`, a role.
    await suite.api.ok('POST', '/v1/policies', { subjects: ['group:eng'], role: 'router-admin', resources: ['projects:**'], effect: 'allow' });
    // An explicit deny for one project beats the group's allow.
    await suite.api.ok('POST', '/v1/policies', { subjects: [ada], actions: ['routers.delete'], resources: ['projects:13:*'], effect: 'deny' });
    // `*` matches exactly one segment.
    await suite.api.ok('POST', '/v1/policies', { subjects: [bot], actions: ['models.deploy'], resources: ['projects:*:models:*'], effect: 'allow' });
  });

  it('applies group inheritance, wildcards and deny-beats-allow, the same over HTTP and NATS', async () => {
    const cases: Array<[string, string, string, boolean]> = [
      [ada, 'routers.read', 'projects:42:routers:7', true], // through group:eng, `**`
      [ada, 'routers.delete', 'projects:42:routers', true],
      [ada, 'routers.delete', 'projects:13:routers', false], // explicit deny wins
      [ada, 'routers.read', 'projects:13:routers', true], // the deny does not reach other actions
      [ada, 'models.read', 'projects:42', false], // default deny
      [bob, 'routers.read', 'projects:42', false], // not in the group
      [bot, 'models.deploy', 'projects:42:models:9', true],
      [bot, 'models.deploy', 'projects:42:models:9:versions:1', false], // `*` is one segment
      [bot, 'models.deploy', 'projects:42:models', false],
      ['user:nobody@example.com', 'routers.read', 'projects:1', false], // unknown principal
    ];
    for (const [principal, action, resource, allowed] of cases) {
      const http = await suite.api.check(principal, action, resource);
      expect({ principal, action, resource, allowed: http.allowed }).toEqual({ principal, action, resource, allowed });
      const overNats = await rpc(suite.nc, RPC_SUBJECTS.check, { serviceToken: TEST_SERVICE_TOKEN, principal, action, resource });
      expect(overNats).toEqual({ ok: true, result: http });
    }
  });

  it('answers with the tags the decision depended on', async () => {
    const policies = (await suite.api.ok('GET', '/v1/policies')).policies as Array<{ id: string; subjects: string[] }>;
    const answer = await suite.api.check(ada, 'routers.read', 'projects:42:routers:7');
    const expected = policies.filter((p) => p.subjects.includes(ada) || p.subjects.includes('group:eng')).map((p) => `pol:${p.id}`);
    expect(answer.tags.sort()).toEqual([`p:${ada}`, 'g:group:eng', 'r:projects:42:routers:7', ...expected].sort());
  });

  it('denies a disabled principal and stops resolving its tokens', async () => {
    await suite.api.ok('POST', '/v1/principals', { id: 'user:leaver@example.com' });
    await suite.api.ok('PUT', `/v1/groups/group:eng/members/${enc('user:leaver@example.com')}`);
    const { token } = await suite.api.ok('POST', `/v1/principals/${enc('user:leaver@example.com')}/tokens`, {});
    expect((await suite.api.check('user:leaver@example.com', 'routers.read', 'projects:1')).allowed).toBe(true);
    expect((await suite.api.resolve(token)).status).toBe(200);
    await suite.api.ok('POST', `/v1/principals/${enc('user:leaver@example.com')}/disable`);
    expect((await suite.api.check('user:leaver@example.com', 'routers.read', 'projects:1')).allowed).toBe(false);
    expect((await suite.api.resolve(token)).body).toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('resolves a token to its principal and groups, and never a revoked or expired one', async () => {
    const created = await suite.api.ok('POST', `/v1/principals/${enc(ada)}/tokens`, {});
    expect(created.token).toMatch(/^iam_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const resolved = await suite.api.resolve(created.token);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toEqual({
      principal: ada,
      groups: ['group:eng'],
      tokenId: created.tokenId,
      expiresAt: null,
      revision: expect.any(Number),
      tags: [`tok:${created.tokenId}`, `p:${ada}`, 'g:group:eng'],
    });
    const overNats = await rpc(suite.nc, RPC_SUBJECTS.resolveIdentity, { serviceToken: TEST_SERVICE_TOKEN, token: created.token });
    expect(overNats).toEqual({ ok: true, result: resolved.body });

    // A wrong secret for a real token id gives the same answer as garbage.
    const forged = created.token.slice(0, -1) + (created.token.endsWith('A') ? 'B' : 'A');
    for (const bad of [forged, 'iam_0000000000000000_' + 'x'.repeat(43), 'not a token']) {
      const answer = await suite.api.resolve(bad);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ code: 'TOKEN_INVALID', message: expect.any(String) });
      expect(JSON.stringify(answer.body)).not.toContain(bad);
    }

    await suite.api.ok('DELETE', `/v1/tokens/${created.tokenId}`);
    expect((await suite.api.resolve(created.token)).body.code).toBe('TOKEN_INVALID');
    expect(await rpc(suite.nc, RPC_SUBJECTS.resolveIdentity, { serviceToken: TEST_SERVICE_TOKEN, token: created.token })).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_INVALID' },
    });

    const shortLived = await suite.api.ok('POST', `/v1/principals/${enc(ada)}/tokens`, { ttlSeconds: 1 });
    expect(Date.parse(shortLived.expiresAt) - Date.now()).toBeLessThanOrEqual(1000);
    expect((await suite.api.resolve(shortLived.token)).status).toBe(200);
    await waitFor(async () => (await suite.api.resolve(shortLived.token)).body.code === 'TOKEN_INVALID', { timeoutMs: 5000, description: 'the token to expire' });
  });

  it('refuses RPC calls without the service token', async () => {
    for (const serviceToken of [undefined, 'wrong-token-value', TEST_ADMIN_TOKEN.slice(0, -1)]) {
      const reply = await rpc(suite.nc, RPC_SUBJECTS.check, { serviceToken, principal: ada, action: 'routers.read', resource: 'projects:1' });
      expect(reply).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    }
    expect(await rpc(suite.nc, RPC_SUBJECTS.check, { serviceToken: TEST_SERVICE_TOKEN, principal: 'nobody', action: 'a', resource: 'b' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST', field: 'principal' },
    });
  });

  it('reflects a mutation at its revision, and refuses a revision it has not reached (HTTP 412, RPC error)', async () => {
    const policy = await suite.api.request('POST', '/v1/policies', { subjects: [bob], actions: ['experiments.run'], resources: ['projects:7'], effect: 'allow' });
    expect(policy.status).toBe(201);
    const revision: number = policy.body.revision;
    const atIt = await suite.api.check(bob, 'experiments.run', 'projects:7', { atLeastRevision: revision });
    expect(atIt).toMatchObject({ allowed: true, revision });

    const ahead = await suite.api.request('POST', '/v1/check', { principal: bob, action: 'experiments.run', resource: 'projects:7', atLeastRevision: revision + 1 }, TEST_SERVICE_TOKEN);
    expect(ahead.status).toBe(412);
    expect(ahead.body).toEqual({ code: 'REVISION_NOT_REACHED', message: expect.stringContaining(String(revision + 1)), field: 'atLeastRevision', revision });

    const overNats = await rpc(suite.nc, RPC_SUBJECTS.check, {
      serviceToken: TEST_SERVICE_TOKEN,
      principal: bob,
      action: 'experiments.run',
      resource: 'projects:7',
      atLeastRevision: revision + 1000,
    });
    expect(overNats).toEqual({ ok: false, error: { code: 'REVISION_NOT_REACHED', message: expect.any(String), field: 'atLeastRevision', revision } });
  });
});
