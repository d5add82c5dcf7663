import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CONTROL_SUBJECTS, ControlMessage } from '@iam/contracts';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { operatorHeaders } from '../support/operator-credential';
import { waitFor } from '../support/wait';
import { CacheApp, startCacheApp, testOptions } from './support/cache-app';
import { TEST_CACHE_ADMIN_TOKEN } from '../support/credentials';
import { StandInAuthority } from '../support/stand-in-authority';

jest.setTimeout(60_000);

const ADA = 'user:ada@example.com';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The module as NATS user `service` under docker/nats/auth.conf (docs/architecture.md#security). */
describe('the cache module with NATS permissions (auth.conf, user service)', () => {
  let nats: NatsTestServer;
  let authority: StandInAuthority;
  let operator: NatsConnection;
  let app: CacheApp;

  beforeAll(async () => {
    nats = await startNatsServer({ auth: true });
    authority = await StandInAuthority.start(nats.connectOptions('authority'));
    operator = await connect(nats.connectOptions('operator'));
    app = await startCacheApp(testOptions(nats.url, { nats: nats.cacheNatsOptions('turing') }));
    await waitFor(() => app.authz.live, { description: 'the subscription to be live as user service' });
  });
  afterAll(async () => {
    await app?.close();
    await operator?.close();
    await authority?.close();
    await nats?.dispose();
  });

  it('checks through the authority RPC, applies events, replays and answers control requests', async () => {
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', 'projects:1:routers:1');
    expect((await app.get('/projects/1/routers/1', token)).status).toBe(200);
    authority.deny(ADA, 'routers.read', 'projects:1:routers:1');
    const { seq } = await authority.publish('policy.deleted', [`p:${ADA}`], { policyId: 'pol_1' });
    await waitFor(() => app.authz.stats().appliedSequence === seq);
    expect((await app.get('/projects/1/routers/1', token)).status).toBe(403);

    const replay = await app.post('/admin/cache/replay', { fromSequence: 1 }, TEST_CACHE_ADMIN_TOKEN);
    expect(replay).toMatchObject({ status: 200, body: { fromSequence: 1, toSequence: seq, applied: seq } });

    const replies: ControlMessage[] = [];
    const body = encoder.encode('{"service":"turing"}');
    for await (const msg of await operator.requestMany(CONTROL_SUBJECTS.stats, body, { maxWait: 1000, headers: operatorHeaders(CONTROL_SUBJECTS.stats, body) })) {
      replies.push(JSON.parse(decoder.decode(msg.data)) as ControlMessage);
    }
    expect(replies).toEqual([expect.objectContaining({ kind: 'result', ok: true, instanceId: app.authz.instanceId })]);
    expect(app.authz.stats()).toMatchObject({ live: true, degraded: false, appliedSequence: seq });
  });

  it('refuses the module connection credentials anything beyond them (a forged event is not stored)', async () => {
    const service = await connect(nats.connectOptions('service'));
    try {
      const info = await authority.streamInfo();
      await expect(jetstream(service).publish('iam.v1.events.cache.flush', encoder.encode('{}'), { timeout: 3000 })).rejects.toBeDefined();
      expect((await authority.streamInfo()).state.last_seq).toBe(info.state.last_seq);
    } finally {
      await service.close();
    }
  });
});
