import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EVENTS_SUBJECT_WILDCARD, IAM_EVENTS_STREAM } from '@iam/contracts';
import { createEphemeralConsumer, streamInfo, type EphemeralConsumer } from '../../libs/authz-cache/src/subscription/ephemeral-consumer';
import { isTimeout, type HedgePolicy } from '../../libs/authz-cache/src/subscription/hedged-request';
import { NatsTestCluster } from '../faults/support/nats-cluster';
import { waitFor } from '../support/wait';

jest.setTimeout(180_000);

const CREATIONS = 20;

/*
 * A 3-node cluster with one stream peer dead. nats-server 2.9 places an R1
 * consumer on a peer of its stream chosen at random, the dead one included,
 * and that creation is never answered. Without hedging, a creation times out
 * about one time in three (the control below shows it on this server); with
 * it, a new attempt under a fresh name goes out while the lost one waits, and
 * every creation succeeds.
 */
describe('consumer creation with a stream peer dead (3-node cluster, R3 stream)', () => {
  let cluster: NatsTestCluster;
  let nc: NatsConnection;
  const created: EphemeralConsumer[] = [];

  beforeAll(async () => {
    cluster = await NatsTestCluster.start();
    const admin = await connect(cluster.connectOptions());
    try {
      const jsm = await jetstreamManager(admin);
      await jsm.streams.add({ name: IAM_EVENTS_STREAM, subjects: [EVENTS_SUBJECT_WILDCARD], num_replicas: 3 });
      const leader = await cluster.streamLeader(admin);
      // A follower dies: the stream keeps its leader, but stays placed on three peers.
      const victim = cluster.nodes.find((node) => node.name !== leader)!;
      await victim.process.kill();
      const survivors = cluster.nodes.filter((node) => node !== victim).map((node) => node.process.url);
      nc = await connect({ servers: survivors, reconnectTimeWait: 250, maxReconnectAttempts: -1 });
    } finally {
      await admin.close();
    }
    // The meta group may have lost its leader with the node: wait until the stream answers again.
    await waitFor(async () => (await streamInfo(nc).catch(() => undefined)) !== undefined, { timeoutMs: 60_000, intervalMs: 250, description: 'the stream to answer with one node down' });
  });

  afterAll(async () => {
    await Promise.all(created.map((consumer) => consumer.remove()));
    await nc?.close().catch(() => undefined);
    await cluster?.dispose();
  });

  /** Creates CREATIONS consumers one after the other; returns how many calls failed with a timeout. */
  async function create(hedge: HedgePolicy): Promise<number> {
    let timedOut = 0;
    for (let i = 0; i < CREATIONS; i++) {
      try {
        created.push(await createEphemeralConsumer(nc, { sequence: 1 }, 'placement', hedge));
      } catch (error) {
        if (!isTimeout(error)) throw error;
        timedOut += 1;
      }
    }
    return timedOut;
  }

  it('control: a single attempt is lost when the server places the consumer on the dead peer', async () => {
    // One attempt per call (the gap is the whole timeout). P(no loss in 20 | 1 in 3 each) < 0.001.
    const lost = await create({ firstGapMs: 1000, maxGapMs: 1000, timeoutMs: 1000 });
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThan(CREATIONS);
  });

  it('hedged: every creation succeeds, each answered by a live peer', async () => {
    // ~15 attempts within each call's 3 s: all placed on the dead peer with P = 3^-15.
    const lost = await create({ firstGapMs: 100, maxGapMs: 200, timeoutMs: 3000 });
    expect(lost).toBe(0);
    for (const consumer of created.slice(-CREATIONS)) {
      const info = await consumer.info();
      expect(info.name).toBe(consumer.name);
    }
  });
});
