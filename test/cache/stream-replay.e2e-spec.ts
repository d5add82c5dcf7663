import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createEvent, encodeEvent, eventStreamConfig, IAM_EVENTS_STREAM, subjectFor } from '@iam/contracts';
import { AuthzCacheCore } from '../../libs/authz-cache/src/core';
import { AuthzMetrics } from '../../libs/authz-cache/src/metrics/authz-metrics';
import { EventApplier } from '../../libs/authz-cache/src/subscription/event-applier';
import { replayStream } from '../../libs/authz-cache/src/subscription/stream-replayer';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { waitFor } from '../support/wait';

jest.setTimeout(120_000);

/** Records every sequence it is handed, in order (then applies it for real). */
class RecordingApplier extends EventApplier {
  readonly sequences: number[] = [];
  onApply: ((sequence: number) => void) | undefined;

  constructor() {
    super(
      new AuthzCacheCore({ loadDecision: () => Promise.reject(new Error('not used')), loadIdentity: async () => null }),
      new AuthzMetrics({ service: 'replay-test' }),
      () => true,
    );
  }

  override apply(data: Uint8Array, sequence: number): ReturnType<EventApplier['apply']> {
    this.sequences.push(sequence);
    this.onApply?.(sequence);
    return super.apply(data, sequence);
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/*
 * replayStream against a real nats-server, with enough events for many
 * overlapping pulls: every event up to the stream's last sequence at the
 * start is applied exactly once, in stream order, whatever the server or
 * another client does meanwhile. The sequence list is asserted exactly, so
 * one lost or repeated event fails the test.
 */
describe('replayStream (real nats-server)', () => {
  const EVENTS = 20_000;
  let nats: NatsTestServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  async function publish(count: number, firstRevision: number): Promise<void> {
    for (let i = 0; i < count; i += 2_000) {
      for (let j = i; j < Math.min(count, i + 2_000); j++) {
        const principal = `user:u${j % 500}@example.com`;
        const event = createEvent({ type: 'principal.disabled', revision: firstRevision + j, actor: 'test', tags: [`p:${principal}`], payload: { principalId: principal } });
        nc.publish(subjectFor(event.type), encodeEvent(event));
      }
      await nc.flush();
    }
  }

  async function lastSequence(): Promise<number> {
    return (await jsm.streams.info(IAM_EVENTS_STREAM)).state.last_seq;
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect(nats.connectOptions());
    jsm = await jetstreamManager(nc);
    await jsm.streams.add(eventStreamConfig());
    await publish(EVENTS, 1);
    await waitFor(async () => (await lastSequence()) === EVENTS, { description: `${EVENTS} events in the stream`, timeoutMs: 60_000 });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  it('applies every event from a sequence exactly once, in order, and removes its consumer', async () => {
    const applier = new RecordingApplier();
    const result = await replayStream(nc, applier, { fromSequence: 1 });
    expect(result).toMatchObject({ fromSequence: 1, toSequence: EVENTS, applied: EVENTS, malformed: 0 });
    expect(applier.sequences).toEqual(range(1, EVENTS));
    const fromMiddle = new RecordingApplier();
    expect(await replayStream(nc, fromMiddle, { fromSequence: 12_345 })).toMatchObject({ applied: EVENTS - 12_344, toSequence: EVENTS });
    expect(fromMiddle.sequences).toEqual(range(12_345, EVENTS));
    const consumers = await jsm.consumers.list(IAM_EVENTS_STREAM).next();
    expect(consumers.filter((c) => c.name.startsWith('authz_replay'))).toEqual([]);
  });

  it('recovers when its consumer is deleted mid-replay: resumes from the last applied + 1, loses nothing', async () => {
    const applier = new RecordingApplier();
    let deleted = false;
    applier.onApply = (sequence) => {
      if (sequence !== 5_000 || deleted) return;
      deleted = true;
      void jsm.consumers.list(IAM_EVENTS_STREAM).next().then(async (consumers) => {
        for (const c of consumers) if (c.name.startsWith('authz_replay')) await jsm.consumers.delete(IAM_EVENTS_STREAM, c.name);
      });
    };
    const result = await replayStream(nc, applier, { fromSequence: 1 });
    expect(deleted).toBe(true);
    expect(result).toMatchObject({ applied: EVENTS, toSequence: EVENTS });
    expect(applier.sequences).toEqual(range(1, EVENTS));
  });

  it('stops at the last sequence it started with while more is published', async () => {
    const applier = new RecordingApplier();
    let published: Promise<void> | undefined;
    applier.onApply = (sequence) => {
      if (sequence === 100) published = publish(3_000, EVENTS + 1);
    };
    const result = await replayStream(nc, applier, { fromSequence: 1 });
    await published;
    expect(result).toMatchObject({ applied: EVENTS, toSequence: EVENTS });
    expect(applier.sequences).toEqual(range(1, EVENTS));
  });

  it('skips deleted events, in the middle and at the end, without waiting for them forever', async () => {
    const to = await lastSequence();
    const gone = [2, 3, 4, 9_000, to - 1, to];
    for (const seq of gone) await jsm.streams.deleteMessage(IAM_EVENTS_STREAM, seq, false);
    const applier = new RecordingApplier();
    const result = await replayStream(nc, applier, { fromSequence: 1 });
    const expected = range(1, to).filter((s) => !gone.includes(s));
    expect(result).toMatchObject({ applied: expected.length, toSequence: to });
    expect(applier.sequences).toEqual(expected);
  });

  it('replays by time from the first event at or after it', async () => {
    const to = await lastSequence();
    const since = new Date().toISOString();
    await publish(10, to + 1);
    await waitFor(async () => (await lastSequence()) === to + 10, { description: '10 more events' });
    const applier = new RecordingApplier();
    const result = await replayStream(nc, applier, { since });
    expect(result).toMatchObject({ fromSequence: to + 1, toSequence: to + 10, applied: 10 });
    expect(applier.sequences).toEqual(range(to + 1, to + 10));
  });
});
