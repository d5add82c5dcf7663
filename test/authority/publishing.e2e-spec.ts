import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { decodeEvent, IAM_EVENTS_STREAM, subjectFor } from '@iam/contracts';
import { databaseKinds } from '../support/database';
import { waitFor } from '../support/wait';
import { readStream, streamCount, useAuthoritySuite } from './authority-harness';


// Restarts of servers and processes take seconds, not jest's default 5.
jest.setTimeout(60_000);

/*
 * Acceptance 1: a mutation's event is on the stream right after the
 * response (relay woken by the commit, no polling delay), carrying the
 * mutation's revision; concurrent mutations give one event each, in
 * strictly increasing revision order without gaps.
 *
 * The relay's safety poll is set to 10 minutes here: an event that arrives
 * within the test's seconds was published because the commit woke the
 * relay, however busy the machine (no wall-clock bound to assert).
 */
const RELAY_POLL_MS = 600_000;

describe.each(databaseKinds())('authority publishing (%s)', (kind) => {
  const suite = useAuthoritySuite(kind, { authorityEnv: { IAM_RELAY_POLL_MS: String(RELAY_POLL_MS) } });

  beforeAll(async () => {
    // The relay provisions the stream as soon as it is connected.
    await waitFor(() => jetstreamManager(suite.nc).then((jsm) => jsm.streams.info(IAM_EVENTS_STREAM)), { description: 'the stream to be provisioned' });
  });

  it("puts the mutation's event on the stream right after the response, with the response's revision", async () => {
    const jsm = await jetstreamManager(suite.nc);
    const { state } = await jsm.streams.info(IAM_EVENTS_STREAM);
    const consumer = await jetstream(suite.nc).consumers.get(IAM_EVENTS_STREAM, { opt_start_seq: state.last_seq + 1 });

    const response = await suite.api.request('POST', '/v1/principals', { id: 'user:first@example.com', displayName: 'First' });
    expect(response.status).toBe(201);
    expect(response.revision).toBe(response.body.revision);

    // Far below the relay's safety poll: only the commit's wake-up can have published it.
    const msg = await consumer.next({ expires: 30_000 });
    expect(msg).not.toBeNull();
    expect(msg!.subject).toBe(subjectFor('principal.created'));
    const decoded = decodeEvent(msg!.data);
    expect(decoded.kind).toBe('event');
    if (decoded.kind !== 'event') return;
    expect(decoded.event).toMatchObject({
      type: 'principal.created',
      revision: response.body.revision,
      actor: 'admin:admin',
      tags: ['p:user:first@example.com'],
      payload: { principalId: 'user:first@example.com', displayName: 'First' },
    });
    expect(msg!.headers?.get('Nats-Msg-Id')).toBe(decoded.event.id);
  });

  it('gives 100 concurrent mutations 100 events with strictly increasing revisions and no gaps', async () => {
    const before = await streamCount(suite.nc);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => suite.api.request('POST', '/v1/principals', { id: `sa:concurrent-${i}` })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(201));
    const revisions = responses.map((r) => r.body.revision as number).sort((a, b) => a - b);
    expect(new Set(revisions).size).toBe(100);
    expect(revisions[99] - revisions[0]).toBe(99);

    await waitFor(async () => (await streamCount(suite.nc)) >= before + 100, { description: '100 new events on the stream' });
    const events = (await readStream(suite.nc)).slice(before);
    expect(events).toHaveLength(100);
    expect(events.map((e) => e.event.revision)).toEqual(revisions);
    expect(new Set(events.map((e) => e.event.id)).size).toBe(100);
    expect(new Set(events.map((e) => e.event.payload && (e.event.payload as { principalId: string }).principalId)).size).toBe(100);
    // Nothing is left behind in the outbox: the relay marks a row published after the stream's ack, so the
    // last rows may still be pending for a moment after their events are on the stream.
    await waitFor(async () => (await suite.authority.core.relay.backlog()) === 0, { description: 'an empty outbox' });
  });
});
