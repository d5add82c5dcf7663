import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createEvent, encodeEvent, eventStreamConfig, IAM_EVENTS_STREAM, IamEvent, subjectFor } from '@iam/contracts';

/*
 * What any client of an open NATS server (no auth, as `npm start` runs it)
 * can do to the event stream behind the authority's back.
 */

/** Purges IAM_EVENTS (every message gone, sequences continue). */
export async function purgeStream(nc: NatsConnection): Promise<number> {
  return (await (await jetstreamManager(nc)).streams.purge(IAM_EVENTS_STREAM)).purged;
}

/** Deletes IAM_EVENTS (its consumers go with it). */
export async function deleteStream(nc: NatsConnection): Promise<void> {
  await (await jetstreamManager(nc)).streams.delete(IAM_EVENTS_STREAM);
}

/** Creates IAM_EVENTS again, empty, as the authority would provision it. */
export async function createStream(nc: NatsConnection, replicas = 1): Promise<void> {
  await (await jetstreamManager(nc)).streams.add(eventStreamConfig({ replicas }));
}

/** Names of the consumers on IAM_EVENTS whose name starts with `prefix`. */
export async function consumerNames(nc: NatsConnection, prefix = ''): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const names: string[] = [];
  for await (const info of jsm.consumers.list(IAM_EVENTS_STREAM)) if (info.name.startsWith(prefix)) names.push(info.name);
  return names;
}

/** Deletes every consumer on IAM_EVENTS whose name starts with `prefix`; resolves with their names. */
export async function deleteConsumers(nc: NatsConnection, prefix: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const names = await consumerNames(nc, prefix);
  for (const name of names) await jsm.consumers.delete(IAM_EVENTS_STREAM, name);
  return names;
}

/**
 * Publishes a schema-valid event the authority never committed, with
 * `revision`, straight onto the stream (bypassing the authority).
 */
export async function publishForgedEvent(nc: NatsConnection, revision: number, principal = 'user:nobody@example.com'): Promise<{ seq: number; event: IamEvent }> {
  const event = createEvent({
    type: 'principal.disabled',
    revision,
    actor: 'forger',
    tags: [`p:${principal}`],
    payload: { principalId: principal },
  });
  const ack = await jetstream(nc).publish(subjectFor(event.type), encodeEvent(event), { msgID: event.id });
  return { seq: ack.seq, event };
}

/** Every event on IAM_EVENTS, in stream order. */
export async function readEvents(nc: NatsConnection): Promise<Array<{ seq: number; event: IamEvent }>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(IAM_EVENTS_STREAM);
  const out: Array<{ seq: number; event: IamEvent }> = [];
  if (info.state.messages === 0) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
    // A deleted message leaves a hole (null); anything else is a real failure.
    const msg = await jsm.streams.getMessage(IAM_EVENTS_STREAM, { seq });
    if (msg !== null) out.push({ seq, event: msg.json<IamEvent>() });
  }
  return out;
}
