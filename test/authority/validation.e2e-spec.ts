import { databaseKinds } from '../support/database';
import { waitFor } from '../support/wait';
import { dumpTables, enc, streamCount, useAuthoritySuite } from './authority-harness';
import { TEST_SERVICE_TOKEN } from '../support/credentials';

// Restarts of servers and processes take seconds, not jest's default 5.
jest.setTimeout(60_000);

const alice = 'user:alice@example.com';
const missingPolicy = 'pol_0123456789abcdef';
const longId = `user:${'a'.repeat(300)}@example.com`;
const validPolicy = { subjects: [alice], actions: ['routers.read'], resources: ['projects:1'], effect: 'allow' };

/** [route, body, the field the 400 must name]. Each row breaks exactly one field. */
const BAD_INPUT: Array<[string, string, unknown, string]> = [
  ['POST', '/v1/principals', {}, 'id'],
  ['POST', '/v1/principals', { id: 'alice' }, 'id'],
  ['POST', '/v1/principals', { id: 42 }, 'id'],
  ['POST', '/v1/principals', { id: longId }, 'id'],
  ['POST', '/v1/principals', { id: 'sa:Upper' }, 'id'],
  ['POST', '/v1/principals', { id: 'user:new@example.com', displayName: 5 }, 'displayName'],
  ['POST', '/v1/principals', { id: 'user:new@example.com', admin: true }, 'admin'],
  ['POST', '/v1/principals', '{"id": "user:new@example.com"', '$'],
  ['DELETE', '/v1/principals/alice', undefined, 'id'],
  ['GET', '/v1/principals/alice', undefined, 'id'],
  ['POST', '/v1/principals/alice/disable', undefined, 'id'],
  ['POST', `/v1/principals/alice/tokens`, {}, 'id'],
  ['POST', `/v1/principals/${enc(alice)}/tokens`, { ttlSeconds: 0 }, 'ttlSeconds'],
  ['POST', `/v1/principals/${enc(alice)}/tokens`, { ttlSeconds: 1.5 }, 'ttlSeconds'],
  ['POST', `/v1/principals/${enc(alice)}/tokens`, { ttlSeconds: 'soon' }, 'ttlSeconds'],
  ['POST', `/v1/principals/${enc(alice)}/tokens`, { ttlSeconds: 10 ** 9 }, 'ttlSeconds'],
  ['POST', `/v1/principals/${enc(alice)}/tokens`, { ttlSeconds: 60, scope: 'all' }, 'scope'],
  ['DELETE', '/v1/tokens/not-a-token-id', undefined, 'tokenId'],
  ['POST', '/v1/groups', {}, 'id'],
  ['POST', '/v1/groups', { id: 'eng' }, 'id'],
  ['POST', '/v1/groups', { id: 'group:Eng' }, 'id'],
  ['POST', '/v1/groups', { id: 'group:new', members: [] }, 'members'],
  ['DELETE', '/v1/groups/eng', undefined, 'id'],
  ['PUT', `/v1/groups/eng/members/${enc(alice)}`, undefined, 'id'],
  ['PUT', '/v1/groups/group:eng/members/alice', undefined, 'principal'],
  ['DELETE', '/v1/groups/group:eng/members/alice', undefined, 'principal'],
  ['POST', '/v1/roles', { actions: ['routers.read'] }, 'id'],
  ['POST', '/v1/roles', { id: 'Router Admin', actions: ['routers.read'] }, 'id'],
  ['POST', '/v1/roles', { id: 'new-role' }, 'actions'],
  ['POST', '/v1/roles', { id: 'new-role', actions: [] }, 'actions'],
  ['POST', '/v1/roles', { id: 'new-role', actions: ['Routers Read'] }, 'actions'],
  ['POST', '/v1/roles', { id: 'new-role', actions: 'routers.read' }, 'actions'],
  ['PUT', '/v1/roles/reader', { actions: [] }, 'actions'],
  ['PUT', '/v1/roles/reader', { actions: ['ok.read'], id: 'other' }, 'id'],
  ['PUT', '/v1/roles/Bad!', { actions: ['ok.read'] }, 'id'],
  ['DELETE', '/v1/roles/Bad!', undefined, 'id'],
  ['POST', '/v1/policies', { ...validPolicy, subjects: undefined }, 'subjects'],
  ['POST', '/v1/policies', { ...validPolicy, subjects: [] }, 'subjects'],
  ['POST', '/v1/policies', { ...validPolicy, subjects: ['alice'] }, 'subjects'],
  ['POST', '/v1/policies', { ...validPolicy, role: 'reader' }, 'actions'],
  ['POST', '/v1/policies', { ...validPolicy, actions: undefined }, 'role'],
  ['POST', '/v1/policies', { ...validPolicy, actions: undefined, role: 'Bad Role' }, 'role'],
  ['POST', '/v1/policies', { ...validPolicy, actions: ['a b'] }, 'actions'],
  ['POST', '/v1/policies', { ...validPolicy, resources: [] }, 'resources'],
  ['POST', '/v1/policies', { ...validPolicy, resources: ['projects::1'] }, 'resources'],
  ['POST', '/v1/policies', { ...validPolicy, resources: 'projects:1' }, 'resources'],
  ['POST', '/v1/policies', { ...validPolicy, effect: 'maybe' }, 'effect'],
  ['POST', '/v1/policies', { ...validPolicy, effect: undefined }, 'effect'],
  ['POST', '/v1/policies', { ...validPolicy, id: missingPolicy }, 'id'],
  ['PUT', '/v1/policies/not-a-policy', validPolicy, 'id'],
  ['PUT', `/v1/policies/${missingPolicy}`, { ...validPolicy, effect: 'maybe' }, 'effect'],
  ['GET', '/v1/policies/not-a-policy', undefined, 'id'],
  ['DELETE', '/v1/policies/not-a-policy', undefined, 'id'],
  ['POST', '/v1/admin/flush', {}, 'scope'],
  ['POST', '/v1/admin/flush', { scope: 'everything' }, 'scope'],
  ['POST', '/v1/admin/flush', { scope: { principal: 'alice' } }, 'scope'],
  ['POST', '/v1/admin/flush', { scope: { tenant: '' } }, 'scope'],
  ['POST', '/v1/admin/flush', { scope: { tenant: 'acme', principal: alice } }, 'scope'],
  ['POST', '/v1/admin/flush', { scope: 'all', reason: 5 }, 'reason'],
  ['POST', '/v1/check', { principal: 'alice', action: 'routers.read', resource: 'projects:1' }, 'principal'],
  ['POST', '/v1/check', { principal: alice, action: 'Routers', resource: 'projects:1' }, 'action'],
  ['POST', '/v1/check', { principal: alice, action: 'routers.read', resource: '' }, 'resource'],
  ['POST', '/v1/check', { principal: alice, action: 'routers.read', resource: 'projects:1', atLeastRevision: -1 }, 'atLeastRevision'],
  ['POST', '/v1/identity/resolve', {}, 'token'],
];

/** Well-formed requests the state refuses: the right status, and nothing written either. */
const REFUSED: Array<[string, string, unknown, number, string]> = [
  ['POST', '/v1/principals', { id: alice }, 409, 'CONFLICT'],
  ['POST', '/v1/groups', { id: 'group:eng' }, 409, 'CONFLICT'],
  ['POST', '/v1/roles', { id: 'reader', actions: ['a.b'] }, 409, 'CONFLICT'],
  ['DELETE', `/v1/principals/${enc('user:ghost@example.com')}`, undefined, 404, 'NOT_FOUND'],
  ['POST', `/v1/principals/${enc('user:ghost@example.com')}/tokens`, {}, 404, 'NOT_FOUND'],
  ['DELETE', '/v1/groups/group:ghost', undefined, 404, 'NOT_FOUND'],
  ['PUT', `/v1/groups/group:ghost/members/${enc(alice)}`, undefined, 404, 'NOT_FOUND'],
  ['DELETE', `/v1/groups/group:eng/members/${enc('user:ghost@example.com')}`, undefined, 404, 'NOT_FOUND'],
  ['PUT', '/v1/roles/ghost', { actions: ['a.b'] }, 404, 'NOT_FOUND'],
  ['POST', '/v1/policies', { ...validPolicy, subjects: ['user:ghost@example.com'] }, 404, 'NOT_FOUND'],
  ['POST', '/v1/policies', { ...validPolicy, actions: undefined, role: 'ghost' }, 404, 'NOT_FOUND'],
  ['PUT', `/v1/policies/${missingPolicy}`, validPolicy, 404, 'NOT_FOUND'],
  ['DELETE', '/v1/tokens/0123456789abcdef', undefined, 404, 'NOT_FOUND'],
];

/*
 * Acceptance 5: bad input on every admin route gets a 400 naming the field
 * and writes nothing: every table and the stream are unchanged afterwards.
 */
describe.each(databaseKinds())('authority input validation (%s)', (kind) => {
  const suite = useAuthoritySuite(kind);

  beforeAll(async () => {
    await suite.api.ok('POST', '/v1/principals', { id: alice });
    await suite.api.ok('POST', '/v1/groups', { id: 'group:eng' });
    await suite.api.ok('POST', '/v1/roles', { id: 'reader', actions: ['routers.read'] });
    await suite.api.ok('POST', '/v1/policies', validPolicy);
    await waitFor(async () => (await suite.authority.core.relay.backlog()) === 0 && (await streamCount(suite.nc)) === 4, { description: 'the setup events' });
  });

  it('answers 400 INVALID_REQUEST naming the field, for each admin route and field, and writes nothing', async () => {
    const tables = await dumpTables(suite.authority.core.db);
    const messages = await streamCount(suite.nc);
    const mismatches: string[] = [];
    for (const [method, path, body, field] of BAD_INPUT) {
      const token = path === '/v1/check' || path === '/v1/identity/resolve' ? TEST_SERVICE_TOKEN : undefined;
      const response = await suite.api.request(method, path, body, token);
      const named = response.body?.field as string | undefined;
      const ok = response.status === 400 && response.body?.code === 'INVALID_REQUEST' && (named === field || named?.startsWith(`${field}.`));
      if (!ok) mismatches.push(`${method} ${path} ${JSON.stringify(body)} -> ${response.status} ${JSON.stringify(response.body)} (expected field ${field})`);
    }
    expect(mismatches).toEqual([]);
    expect(await dumpTables(suite.authority.core.db)).toEqual(tables);
    // The relay has nothing to publish, so "unchanged" is not a race with it.
    expect(await suite.authority.core.relay.backlog()).toBe(0);
    expect(await streamCount(suite.nc)).toBe(messages);
  });

  it('answers 404/409 for well-formed requests the state refuses, and writes nothing', async () => {
    const tables = await dumpTables(suite.authority.core.db);
    const messages = await streamCount(suite.nc);
    for (const [method, path, body, status, code] of REFUSED) {
      const response = await suite.api.request(method, path, body);
      expect({ method, path, status: response.status, code: response.body?.code }).toEqual({ method, path, status, code });
    }
    expect(await dumpTables(suite.authority.core.db)).toEqual(tables);
    expect(await streamCount(suite.nc)).toBe(messages);
  });

  it('answers 401 without a valid bearer token and 403 for the service token on admin routes, writing nothing', async () => {
    const tables = await dumpTables(suite.authority.core.db);
    const body = { id: 'user:intruder@example.com' };
    expect((await suite.api.request('POST', '/v1/principals', body, null)).body).toMatchObject({ code: 'UNAUTHENTICATED' });
    const wrong = await suite.api.request('POST', '/v1/principals', body, 'not-the-admin-token');
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain('not-the-admin-token');
    const service = await suite.api.request('POST', '/v1/principals', body, TEST_SERVICE_TOKEN);
    expect(service.status).toBe(403);
    expect(service.body.code).toBe('FORBIDDEN');
    expect((await suite.api.request('POST', '/v1/check', { principal: alice, action: 'a', resource: 'b' }, null)).status).toBe(401);
    expect(await dumpTables(suite.authority.core.db)).toEqual(tables);
  });
});
