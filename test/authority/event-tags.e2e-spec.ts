import { IamEvent, tagMatches } from '@iam/contracts';
import { databaseKinds } from '../support/database';
import { waitFor } from '../support/wait';
import { enc, readStream, useAuthoritySuite } from './authority-harness';

// Restarts of servers and processes take seconds, not jest's default 5.
jest.setTimeout(60_000);

/** Whether an event busts an answer cached with `answerTags` (what a cache does). */
function busts(event: IamEvent, answerTags: string[]): boolean {
  return event.tags.some((eventTag) => answerTags.some((entryTag) => tagMatches(eventTag, entryTag)));
}

/*
 * Per mutation: the answers a cache held before it (check and resolve
 * results, with their tags) are busted by the mutation's event, and an
 * unrelated answer is not (so the assertion can fail).
 */
describe.each(databaseKinds())('authority event tags cover cached answers (%s)', (kind) => {
  const suite = useAuthoritySuite(kind);
  const ada = 'user:ada@example.com';
  const bob = 'user:bob@example.com';
  const cy = 'user:cy@example.com';
  let unrelated: string[];

  /** Runs a mutation, then returns its event from the stream (matched by revision). */
  async function eventOf(mutation: Promise<{ revision: number }>): Promise<IamEvent> {
    const { revision } = await mutation;
    const entry = await waitFor(async () => (await readStream(suite.nc)).find((e) => e.event.revision === revision), { description: `the event of revision ${revision}` });
    return entry.event;
  }

  const check = async (principal: string, action = 'routers.read', resource = 'projects:1:routers:2') => (await suite.api.check(principal, action, resource)).tags;
  const resolveTags = async (token: string) => (await suite.api.resolve(token)).body.tags as string[];

  beforeAll(async () => {
    for (const id of [ada, bob, cy, 'sa:outsider']) await suite.api.ok('POST', '/v1/principals', { id });
    await suite.api.ok('POST', '/v1/groups', { id: 'group:eng' });
    await suite.api.ok('PUT', `/v1/groups/group:eng/members/${enc(ada)}`);
    await suite.api.ok('POST', '/v1/roles', { id: 'reader', actions: ['routers.read'] });
    await suite.api.ok('POST', '/v1/policies', { subjects: ['sa:outsider'], actions: ['*'], resources: ['**'], effect: 'allow' });
    // An answer about someone else entirely: no mutation below may bust it.
    unrelated = await check('sa:outsider', 'models.read', 'projects:9');
  });

  const expectBusted = (event: IamEvent, ...answers: string[][]) => {
    for (const answer of answers) expect({ type: event.type, busts: busts(event, answer), answer }).toEqual({ type: event.type, busts: true, answer });
    expect({ type: event.type, bustsUnrelated: busts(event, unrelated) }).toEqual({ type: event.type, bustsUnrelated: false });
  };

  it('principal.created busts the cached denial of the not-yet-existing principal', async () => {
    const before = await check('user:late@example.com');
    expectBusted(await eventOf(suite.api.ok('POST', '/v1/principals', { id: 'user:late@example.com' })), before);
  });

  it('policy.created on a group busts every member\'s answers', async () => {
    const before = await check(ada);
    expect((await suite.api.check(ada, 'routers.read', 'projects:1:routers:2')).allowed).toBe(false);
    expectBusted(await eventOf(suite.api.ok('POST', '/v1/policies', { subjects: ['group:eng'], role: 'reader', resources: ['projects:**'], effect: 'allow' })), before);
    expect((await suite.api.check(ada, 'routers.read', 'projects:1:routers:2')).allowed).toBe(true);
  });

  it('group.member.added and group.member.removed bust the member\'s answers and identities', async () => {
    const { token } = await suite.api.ok('POST', `/v1/principals/${enc(bob)}/tokens`, {});
    const [answer, identity] = [await check(bob), await resolveTags(token)];
    expectBusted(await eventOf(suite.api.ok('PUT', `/v1/groups/group:eng/members/${enc(bob)}`)), answer, identity);
    const [answer2, identity2] = [await check(bob), await resolveTags(token)];
    expectBusted(await eventOf(suite.api.ok('DELETE', `/v1/groups/group:eng/members/${enc(bob)}`)), answer2, identity2);
  });

  it('role.updated and role.deleted bust the answers of every policy using the role', async () => {
    await suite.api.ok('POST', '/v1/roles', { id: 'deployer', actions: ['models.deploy'] });
    await suite.api.ok('POST', '/v1/policies', { subjects: [cy], role: 'deployer', resources: ['projects:*'], effect: 'allow' });
    const answer = await check(cy, 'models.deploy', 'projects:3');
    expectBusted(await eventOf(suite.api.ok('PUT', '/v1/roles/deployer', { actions: ['models.read'] })), answer);
    const answer2 = await check(cy, 'models.read', 'projects:3');
    expectBusted(await eventOf(suite.api.ok('DELETE', '/v1/roles/deployer')), answer2);
  });

  it('policy.updated busts the answers of subjects before and after; policy.deleted those of its subjects', async () => {
    const policy = await suite.api.ok('POST', '/v1/policies', { subjects: [bob], actions: ['experiments.run'], resources: ['projects:5'], effect: 'deny' });
    const [bobAnswer, cyAnswer] = [await check(bob, 'experiments.run', 'projects:5'), await check(cy, 'experiments.run', 'projects:5')];
    expectBusted(await eventOf(suite.api.ok('PUT', `/v1/policies/${policy.id}`, { subjects: [cy], actions: ['experiments.run'], resources: ['projects:5'], effect: 'allow' })), bobAnswer, cyAnswer);
    const cyAfter = await check(cy, 'experiments.run', 'projects:5');
    expectBusted(await eventOf(suite.api.ok('DELETE', `/v1/policies/${policy.id}`)), cyAfter);
  });

  it('token.revoked busts the identity; principal.disabled and principal.deleted bust answers and identities', async () => {
    const first = await suite.api.ok('POST', `/v1/principals/${enc(cy)}/tokens`, {});
    const firstIdentity = await resolveTags(first.token);
    expectBusted(await eventOf(suite.api.ok('DELETE', `/v1/tokens/${first.tokenId}`)), firstIdentity);

    const second = await suite.api.ok('POST', `/v1/principals/${enc(cy)}/tokens`, {});
    const [answer, identity] = [await check(cy), await resolveTags(second.token)];
    expectBusted(await eventOf(suite.api.ok('POST', `/v1/principals/${enc(cy)}/disable`)), answer, identity);

    const third = await suite.api.ok('POST', `/v1/principals/${enc(bob)}/tokens`, { ttlSeconds: 3600 });
    const [bobAnswer, bobIdentity] = [await check(bob), await resolveTags(third.token)];
    const deleted = await eventOf(suite.api.ok('DELETE', `/v1/principals/${enc(bob)}`));
    expectBusted(deleted, bobAnswer, bobIdentity);
    expect(deleted.tags).toEqual(expect.arrayContaining([`p:${bob}`, `tok:${third.tokenId}`]));
  });

  it('group.deleted busts every member\'s answers; cache.flush for a principal busts that principal\'s', async () => {
    await suite.api.ok('POST', '/v1/groups', { id: 'group:temp' });
    await suite.api.ok('PUT', `/v1/groups/group:temp/members/${enc(ada)}`);
    await suite.api.ok('POST', '/v1/policies', { subjects: ['group:temp'], actions: ['models.read'], resources: ['projects:8'], effect: 'allow' });
    const answer = await check(ada, 'models.read', 'projects:8');
    expect((await suite.api.check(ada, 'models.read', 'projects:8')).allowed).toBe(true);
    expectBusted(await eventOf(suite.api.ok('DELETE', '/v1/groups/group:temp')), answer);
    expect((await suite.api.check(ada, 'models.read', 'projects:8')).allowed).toBe(false);

    const adaAnswer = await check(ada);
    const flush = await eventOf(suite.api.ok('POST', '/v1/admin/flush', { scope: { principal: ada } }));
    expect(flush.payload).toEqual({ scope: 'principal', principal: ada });
    expectBusted(flush, adaAnswer);
    const all = await eventOf(suite.api.ok('POST', '/v1/admin/flush', { scope: 'all', reason: 'test' }));
    expect(all).toMatchObject({ type: 'cache.flush', tags: [], payload: { scope: 'all', reason: 'test' } });
  });
});
