import { decodeEvent, IAM_EVENTS_STREAM } from '@iam/contracts';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Database, toNumber } from '../storage/database';
import { corroboratedRevision } from './corroborated-revision';

/** How many of the stream's newest messages are read to find a corroborated revision. */
const ALIGNMENT_WINDOW = 64;

/**
 * The newest revision the stream corroborates ({@link corroboratedRevision}
 * over its last {@link ALIGNMENT_WINDOW} messages), or 0. A message that does
 * not decode as an event says nothing about revisions.
 */
async function streamCorroboratedRevision(nc: NatsConnection, timeoutMs = 2000): Promise<number> {
  const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: timeoutMs });
  const { state } = await jsm.streams.info(IAM_EVENTS_STREAM);
  if (state.messages === 0 || state.last_seq === 0) return 0;
  const from = Math.max(state.first_seq, state.last_seq - ALIGNMENT_WINDOW + 1);
  const revisions: number[] = [];
  for (let seq = from; seq <= state.last_seq; seq += 1) {
    const revision = await revisionAt(jsm, seq);
    if (revision !== null) revisions.push(revision);
  }
  return corroboratedRevision(revisions, from === state.first_seq);
}

async function revisionAt(jsm: JetStreamManager, seq: number): Promise<number | null> {
  // null: no message at that sequence (deleted).
  const message = await jsm.streams.getMessage(IAM_EVENTS_STREAM, { seq });
  if (message === null) return null;
  const decoded = decodeEvent(message.data);
  return decoded.kind === 'error' ? null : decoded.event.revision;
}

/**
 * Keeps revisions monotonic per stream. Consumers take the stream's newest
 * revision as their starting point and trust consistency tokens against it;
 * an authority whose database is behind the stream (database restored or
 * recreated while the stream was kept) would hand out revisions that
 * consumers believe they have already applied. So, before publishing, the
 * revision counter is raised to the newest revision the stream corroborates
 * when it is lower; a lone forged event (any revision, published by a client
 * that bypassed the authority) moves nothing. Returns the counter's previous
 * value when it was raised, else null.
 */
export async function alignRevisionWithStream(db: Database, nc: NatsConnection, timeoutMs?: number): Promise<{ from: number; to: number } | null> {
  const streamRevision = await streamCorroboratedRevision(nc, timeoutMs);
  if (streamRevision === 0) return null;
  return db.transaction(async (tx) => {
    const [current] = await tx.query<{ value: unknown }>('SELECT value FROM revision WHERE id = 1 FOR UPDATE');
    const from = toNumber(current.value);
    if (from >= streamRevision) return null;
    await tx.query('UPDATE revision SET value = $1 WHERE id = 1', [streamRevision]);
    return { from, to: streamRevision };
  });
}
