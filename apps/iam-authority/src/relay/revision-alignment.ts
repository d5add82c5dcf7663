import { decodeEvent, IAM_EVENTS_STREAM } from '@iam/contracts';
import { NatsConnection } from 'nats';
import { Database, toNumber } from '../storage/database';

/**
 * The revision of the newest event on the stream, or 0 for an empty stream.
 * A message that does not decode says nothing about revisions: 0.
 */
export async function streamLastRevision(nc: NatsConnection): Promise<number> {
  const jsm = await nc.jetstreamManager();
  const { state } = await jsm.streams.info(IAM_EVENTS_STREAM);
  if (state.messages === 0 || state.last_seq === 0) return 0;
  const message = await jsm.streams.getMessage(IAM_EVENTS_STREAM, { seq: state.last_seq });
  const decoded = decodeEvent(message.data);
  return decoded.kind === 'error' ? 0 : decoded.event.revision;
}

/**
 * Keeps revisions monotonic per stream. Consumers take the stream's newest
 * revision as their starting point and trust consistency tokens against it;
 * an authority whose database is behind the stream (database restored or
 * recreated while the stream was kept) would hand out revisions that
 * consumers believe they have already applied. So, before publishing, the
 * revision counter is raised to the stream's newest revision when it is
 * lower. Returns the counter's previous value when it was raised, else null.
 */
export async function alignRevisionWithStream(db: Database, nc: NatsConnection): Promise<{ from: number; to: number } | null> {
  const streamRevision = await streamLastRevision(nc);
  if (streamRevision === 0) return null;
  return db.transaction(async (tx) => {
    const [current] = await tx.query<{ value: unknown }>('SELECT value FROM revision WHERE id = 1 FOR UPDATE');
    const from = toNumber(current.value);
    if (from >= streamRevision) return null;
    await tx.query('UPDATE revision SET value = $1 WHERE id = 1', [streamRevision]);
    return { from, to: streamRevision };
  });
}
