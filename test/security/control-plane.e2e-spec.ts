import type { NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CONTROL_SUBJECTS, ControlMessage, IAM_EVENTS_STREAM } from '@iam/contracts';
import { CacheApp, logLines, startCacheApp, testOptions } from '../cache/support/cache-app';
import { StandInAuthority } from '../support/stand-in-authority';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { operatorHeaders } from '../support/operator-credential';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

const ADA = 'user:ada@example.com';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/*
 * Issue 9, control plane: services act on a control request only when it
 * arrives on the control subject itself (not as a JetStream delivery) with
 * a valid operator signature; everything else is dropped and counted.
 * Against nats-server with docker/nats/auth.conf, every party logged in as
 * its own user.
 */
describe('control plane (auth.conf, operator signatures)', () => {
  let nats: NatsTestServer;
  let authority: StandInAuthority;
  let operator: NatsConnection;
  let app: CacheApp;

  beforeAll(async () => {
    nats = await startNatsServer({ auth: true });
    authority = await StandInAuthority.start(nats.connectOptions('authority'));
    operator = await connect(nats.connectOptions('operator'));
    app = await startCacheApp(testOptions(nats.url, { nats: nats.cacheNatsOptions('turing') }));
    await waitFor(() => app.authz.live, { description: 'the cache to be live as user turing' });
    for (let i = 0; i < 5; i++) await authority.publish('policy.deleted', [`p:user:x${i}@example.com`], { policyId: `pol_${i}` });
  });
  afterAll(async () => {
    await app?.close();
    await operator?.close();
    await authority?.close();
    await nats?.dispose();
  });

  async function rejected(reason: string): Promise<number> {
    const metrics = (await app.get('/metrics')).text;
    const line = metrics.split('\n').find((l) => l.startsWith('authz_cache_control_rejected_total') && l.includes(`reason="${reason}"`));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  async function gather(subject: string, body: Uint8Array, headers?: ReturnType<typeof operatorHeaders>): Promise<ControlMessage[]> {
    const replies: ControlMessage[] = [];
    for await (const msg of await operator.requestMany(subject, body, { maxWait: 1000, ...(headers ? { headers } : {}) })) {
      replies.push(JSON.parse(decoder.decode(msg.data)) as ControlMessage);
    }
    return replies;
  }

  /** A decision cached now that a rebuild or flush would drop (then the next read asks the authority again). */
  async function cachedDecision(): Promise<{ token: string; checksBefore: number }> {
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', 'projects:1:routers:1');
    expect((await app.get('/projects/1/routers/1', token)).status).toBe(200);
    expect((await app.get('/projects/1/routers/1', token)).status).toBe(200);
    return { token, checksBefore: authority.calls.check };
  }

  it('drops stream messages that a service user delivers onto the control subject with a push consumer (counted, no rebuild)', async () => {
    const { token, checksBefore } = await cachedDecision();
    const attacker = await connect(nats.connectOptions('merlin'));
    try {
      // The attack as reported: a push consumer of IAM_EVENTS whose deliver subject is the rebuild subject.
      const jsm = await jetstreamManager(attacker);
      const info = await jsm.consumers.add(IAM_EVENTS_STREAM, {
        name: `inject${process.pid}`,
        deliver_subject: CONTROL_SUBJECTS.rebuild,
        deliver_policy: DeliverPolicy.All,
        // Explicit acks: every delivery carries a `$JS.ACK.` reply, as a request would carry an inbox.
        ack_policy: AckPolicy.Explicit,
        inactive_threshold: 5_000_000_000,
      });
      expect(info.config.deliver_subject).toBe(CONTROL_SUBJECTS.rebuild);
    } finally {
      await attacker.close();
    }
    // A push delivery keeps the stream message's own subject (iam.v1.events.*) and a $JS.ACK reply: never the control subject itself.
    await waitFor(async () => (await rejected('wrong-subject')) >= 5, { description: 'the five deliveries to be dropped and counted' });
    expect(logLines.some((line) => line.includes('control request iam.v1.control.rebuild received'))).toBe(false);
    // Logged once, however many were dropped.
    expect(logLines.filter((line) => line.includes('dropped (wrong-subject)'))).toHaveLength(1);
    // No rebuild ran: the cached decision still answers without the authority.
    expect((await app.get('/projects/1/routers/1', token)).status).toBe(200);
    expect(authority.calls.check).toBe(checksBefore);
  });

  it('refuses control requests without a valid operator credential, and replays of a valid one', async () => {
    const body = encoder.encode('{"service":"turing"}');
    expect(await gather(CONTROL_SUBJECTS.stats, body)).toEqual([]);
    expect(await rejected('missing-credential')).toBeGreaterThanOrEqual(1);

    expect(await gather(CONTROL_SUBJECTS.stats, body, operatorHeaders(CONTROL_SUBJECTS.stats, body, 'not-the-operator-key-000000000000'))).toEqual([]);
    expect(await rejected('bad-signature')).toBeGreaterThanOrEqual(1);

    // A signature for one subject does not open another.
    const forStats = operatorHeaders(CONTROL_SUBJECTS.stats, body);
    expect(await gather(CONTROL_SUBJECTS.rebuild, body, forStats)).toEqual([]);

    const signed = operatorHeaders(CONTROL_SUBJECTS.stats, body);
    expect(await gather(CONTROL_SUBJECTS.stats, body, signed)).toEqual([expect.objectContaining({ kind: 'result', ok: true, service: 'turing' })]);
    // The same signed request again (captured and replayed): dropped.
    expect(await gather(CONTROL_SUBJECTS.stats, body, signed)).toEqual([]);
    expect(await rejected('replayed-nonce')).toBeGreaterThanOrEqual(1);
  });

  it('treats a request without service as addressed to nobody; "*" must be said', async () => {
    const none = encoder.encode('{}');
    expect(await gather(CONTROL_SUBJECTS.stats, none, operatorHeaders(CONTROL_SUBJECTS.stats, none))).toEqual([]);
    const all = encoder.encode('{"service":"*"}');
    expect(await gather(CONTROL_SUBJECTS.stats, all, operatorHeaders(CONTROL_SUBJECTS.stats, all))).toEqual([
      expect.objectContaining({ kind: 'result', ok: true, instanceId: app.authz.instanceId }),
    ]);
  });
});
