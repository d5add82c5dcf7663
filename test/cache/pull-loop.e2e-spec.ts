import type { NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PullLoop, type PulledMessage } from '../../libs/authz-cache/src/subscription/pull-loop';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

const STREAM = 'PULL_LOOP';

/*
 * PullLoop against a real nats-server (2.9 here). The freeze test is the
 * reason it exists: a pull request found expired when a message arrives is
 * dropped by the server without a word, and a client that still counts on
 * it waits (nats.js consume(): two missed heartbeats). These loops run
 * without heartbeats, so a message arrives only if a pull the server still
 * holds asks for it.
 */
describe('PullLoop (real nats-server)', () => {
  let nats: NatsTestServer;
  let nc: NatsConnection;
  let publisher: NatsConnection;
  let jsm: JetStreamManager;
  const loops: PullLoop[] = [];
  let consumers = 0;

  async function consumer(options: { durable?: boolean } = {}): Promise<string> {
    consumers += 1;
    const name = `loop_${consumers}`;
    await jsm.consumers.add(STREAM, {
      ...(options.durable ? { durable_name: name } : { name, mem_storage: true, inactive_threshold: 60e9 }),
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.New,
    });
    return name;
  }

  function start(name: string, window = { max_messages: 8, threshold_messages: 4 }, expiresMs = 1000) {
    const received: PulledMessage[] = [];
    const loop = new PullLoop(nc, STREAM, name, { window, expiresMs }, { onMessage: (msg) => received.push(msg) });
    loops.push(loop);
    return { loop, received, seqs: () => received.map((m) => m.seq) };
  }

  async function publish(count: number, timeout = 10_000): Promise<number[]> {
    const acks = [];
    for (let i = 0; i < count; i++) acks.push(publisher.request(`pl.${i % 7}`, new TextEncoder().encode(`m${i}`), { timeout }));
    const replies = await Promise.all(acks);
    return replies.map((reply) => (JSON.parse(new TextDecoder().decode(reply.data)) as { seq: number }).seq);
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ ...nats.connectOptions(), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    publisher = await connect({ ...nats.connectOptions(), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: STREAM, subjects: ['pl.>'] });
  });

  afterEach(async () => {
    await Promise.all(loops.splice(0).map((loop) => loop.close()));
  });

  afterAll(async () => {
    await nc?.close();
    await publisher?.close();
    await nats?.dispose();
  });

  it('delivers every message once, in stream order, through many refilled windows', async () => {
    const { seqs, received } = start(await consumer());
    await nc.flush();
    const published = await publish(500);
    await waitFor(() => received.length >= 500, { description: '500 messages' });
    // A little longer: a message delivered twice would show up now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seqs()).toEqual(published);
    expect(received[received.length - 1].pending).toBe(0);
    expect(new TextDecoder().decode(received[0].data)).toBe('m0');
  });

  it('loses no message to pulls that expired while the broker was frozen (8 rounds)', async () => {
    const { received, seqs } = start(await consumer());
    await nc.flush();
    const base = (await jsm.streams.info(STREAM)).state.last_seq;
    const expected: number[] = [];
    for (let round = 0; round < 8; round++) {
      // Anywhere in a pull's lifetime; each freeze outlasts every pull the server holds.
      await new Promise((resolve) => setTimeout(resolve, 100 + ((round * 137) % 900)));
      await nats.pause();
      try {
        // Queued in the socket: the server reads it at the thaw, racing its own expiry timers.
        publisher.publish(`pl.${round}`, new TextEncoder().encode(`frozen ${round}`));
        await new Promise((resolve) => setTimeout(resolve, 1300));
      } finally {
        await nats.resume();
      }
      const seq = base + round + 1;
      expected.push(seq);
      await waitFor(() => received.some((m) => m.seq === seq), { timeoutMs: 15_000, description: `seq ${seq} published during freeze ${round}` });
    }
    expect(seqs()).toEqual(expected);
  });

  it('leaves nothing behind on its connection once closed (subscription, status listener)', async () => {
    const internals = nc as unknown as { protocol: { listeners: unknown[]; subscriptions: { size(): number } } };
    const listenersBefore = internals.protocol.listeners.length;
    const subscriptionsBefore = internals.protocol.subscriptions.size();
    const name = await consumer();
    for (let i = 0; i < 50; i++) await start(name).loop.close();
    loops.splice(0);
    await waitFor(() => internals.protocol.listeners.length === listenersBefore, { description: 'the status listeners to go' });
    expect(internals.protocol.subscriptions.size()).toBe(subscriptionsBefore);
  });

  it('ends with an error naming it when its consumer is deleted', async () => {
    const name = await consumer();
    const { loop } = start(name);
    await nc.flush();
    await jsm.consumers.delete(STREAM, name);
    const error = await loop.ended;
    expect(error?.message).toMatch(/consumer deleted/i);
  });

  it('reports missed heartbeats once when its consumer is not there at all (its pulls go unanswered)', async () => {
    let missed = 0;
    const loop = new PullLoop(nc, STREAM, 'never_created', { window: { max_messages: 8, threshold_messages: 4 }, expiresMs: 1000, idleHeartbeatMs: 250 }, {
      onMessage: () => undefined,
      onHeartbeatsMissed: () => (missed += 1),
    });
    loops.push(loop);
    // nats-server 2.9 does not answer a pull for a consumer it does not have.
    await waitFor(() => missed > 0, { timeoutMs: 10_000, description: 'heartbeats reported missed' });
    // Reported once (the owner re-creates the consumer), not on every tick after.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(missed).toBe(1);
  });

  it('pulls again after the server restarts, and ends when its connection closes', async () => {
    const own = await connect({ ...nats.connectOptions(), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const name = await consumer({ durable: true });
      const received: PulledMessage[] = [];
      const loop = new PullLoop(own, STREAM, name, { window: { max_messages: 8, threshold_messages: 4 }, expiresMs: 60_000 }, { onMessage: (msg) => received.push(msg) });
      loops.push(loop);
      await own.flush();
      const [before] = await publish(1);
      await waitFor(() => received.some((m) => m.seq === before), { description: 'the message before the restart' });
      // Its pull lives a minute: after the restart only a pull sent on reconnect can deliver.
      await nats.restart();
      // Short attempts: one sent while JetStream is still starting is not answered.
      const [after] = await waitFor(() => publish(1, 1000), { timeoutMs: 30_000, description: 'a publish after the restart' });
      // Well before its next tick (a quarter of the pull's minute) could send one.
      await waitFor(() => received.some((m) => m.seq === after), { timeoutMs: 12_000, description: 'the message after the restart' });
      await own.close();
      await expect(loop.ended).resolves.toBeUndefined();
    } finally {
      if (!own.isClosed()) await own.close();
    }
  });
});
