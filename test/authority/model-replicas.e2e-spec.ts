import { RunningAuthority } from '../../apps/iam-authority/src/bootstrap';
import { AuthorityModel } from '../../apps/iam-authority/src/domain/authority-model';
import { ModelRepository } from '../../apps/iam-authority/src/storage/model.repository';
import { createTestDatabase, databaseKinds, TestDatabase } from '../support/database';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';
import { AuthorityApi } from './authority-harness';
import { startTestAuthority } from '../support/authority';
import { TEST_SERVICE_TOKEN } from '../support/credentials';

jest.setTimeout(120_000);

/*
 * Two authority replicas on one PostgreSQL database each answer `check`
 * from their own in-memory model. A replica learns the other's commits
 * (LISTEN/NOTIFY + outbox), answers at or above any `atLeastRevision` it can
 * reach (else REVISION_NOT_REACHED, never an older answer), never answers
 * below a revision it acknowledged, and ends at the state a fresh load of
 * the database gives. PostgreSQL only (PGlite is one process by construction).
 */
const postgres = databaseKinds().includes('postgres');

const ADA = 'user:ada@example.com';
const BOB = 'user:bob@example.com';
const QUESTIONS: Array<[string, string, string]> = [
  [ADA, 'routers.read', 'projects:1:routers:1'],
  [ADA, 'routers.write', 'projects:2'],
  [BOB, 'routers.read', 'projects:1:routers:1'],
  [BOB, 'models.deploy', 'projects:3:models:9'],
  ['sa:ci', 'routers.read', 'projects:1'],
];

(postgres ? describe : describe.skip)('in-memory models of two replicas on PostgreSQL', () => {
  let nats: NatsTestServer;
  let db: TestDatabase;
  let a: RunningAuthority;
  let b: RunningAuthority;
  let apiA: AuthorityApi;
  let apiB: AuthorityApi;

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await createTestDatabase('postgres');
    a = await startTestAuthority(nats, db);
    b = await startTestAuthority(nats, db);
    apiA = new AuthorityApi(a.url);
    apiB = new AuthorityApi(b.url);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.dispose();
    await nats?.dispose();
  });

  it("answers at the other replica's revision when asked (atLeastRevision), and reads its own writes without asking", async () => {
    const steps: Array<[AuthorityApi, string, string, unknown]> = [
      [apiA, 'POST', '/v1/principals', { id: ADA }],
      [apiB, 'POST', '/v1/groups', { id: 'group:eng' }],
      [apiA, 'PUT', `/v1/groups/group:eng/members/${encodeURIComponent(ADA)}`, undefined],
      [apiB, 'POST', '/v1/policies', { subjects: ['group:eng'], actions: ['routers.*'], resources: ['projects:1:**'], effect: 'allow' }],
    ];
    for (const [writer, method, path, body] of steps) {
      const written = await writer.request(method, path, body);
      expect(written.status).toBeLessThan(300);
      const revision = written.revision!;
      // The writer never answers below what it acknowledged, even without a token.
      expect((await writer.check(ADA, 'routers.read', 'projects:1:routers:1')).revision).toBeGreaterThanOrEqual(revision);
      const other = writer === apiA ? apiB : apiA;
      expect((await other.check(ADA, 'routers.read', 'projects:1:routers:1', { atLeastRevision: revision })).revision).toBeGreaterThanOrEqual(revision);
    }
    const last = (await apiB.request('POST', '/v1/policies', { subjects: [ADA], actions: ['routers.read'], resources: ['projects:1:routers:1'], effect: 'deny' })).revision!;
    const onA = await apiA.check(ADA, 'routers.read', 'projects:1:routers:1', { atLeastRevision: last });
    expect(onA.allowed).toBe(false);
    expect(onA.revision).toBeGreaterThanOrEqual(last);
    expect((await apiA.check(ADA, 'routers.write', 'projects:1:routers:1', { atLeastRevision: last })).allowed).toBe(true);
    // Without a token the other replica catches up on its own (NOTIFY), within seconds.
    await waitFor(async () => (await apiA.check(ADA, 'routers.read', 'projects:2')).revision >= last || undefined, { description: 'replica A to learn revision ' + last });
  });

  it('refuses a revision no replica has reached, naming its own revision, instead of answering older', async () => {
    const current = (await apiA.check(ADA, 'routers.read', 'projects:1')).revision;
    const ahead = await apiA.request('POST', '/v1/check', { principal: ADA, action: 'routers.read', resource: 'projects:1', atLeastRevision: current + 1000 }, TEST_SERVICE_TOKEN);
    expect(ahead.status).toBe(412);
    expect(ahead.body).toMatchObject({ code: 'REVISION_NOT_REACHED', field: 'atLeastRevision', revision: current });
  });

  it('ends, after concurrent mutations on both replicas, with both models equal to a fresh load of the database', async () => {
    await apiA.ok('POST', '/v1/principals', { id: BOB });
    await apiB.ok('POST', '/v1/principals', { id: 'sa:ci' });
    await apiA.ok('POST', '/v1/roles', { id: 'deployer', actions: ['models.*'] });
    const writes = Array.from({ length: 24 }, (_, i) => {
      const api = i % 2 ? apiA : apiB;
      const subject = [ADA, BOB, 'sa:ci', 'group:eng'][i % 4];
      const grant = i % 3 === 0 ? { role: 'deployer' } : { actions: [i % 2 ? 'routers.read' : 'routers.*'] };
      return api.ok('POST', '/v1/policies', { subjects: [subject], ...grant, resources: [`projects:${i % 4}:**`], effect: i % 5 === 0 ? 'deny' : 'allow' });
    });
    await Promise.all(writes);
    await Promise.all([apiB.ok('PUT', `/v1/groups/group:eng/members/${encodeURIComponent(BOB)}`), apiA.ok('PUT', '/v1/roles/deployer', { actions: ['models.deploy', 'routers.write'] })]);
    await apiA.ok('DELETE', `/v1/principals/${encodeURIComponent('sa:ci')}`);

    const fresh = new AuthorityModel(await new ModelRepository(a.core.db).loadSnapshot());
    for (const [principal, action, resource] of QUESTIONS) {
      const expected = fresh.check(principal, action, resource);
      for (const api of [apiA, apiB]) {
        const answer = await api.check(principal, action, resource, { atLeastRevision: fresh.revision });
        expect(answer.revision).toBeGreaterThanOrEqual(fresh.revision);
        expect({ allowed: answer.allowed, tags: [...answer.tags].sort() }).toEqual({ allowed: expected.allowed, tags: [...expected.tags].sort() });
      }
    }
  });
});
