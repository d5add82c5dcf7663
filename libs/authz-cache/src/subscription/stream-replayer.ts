import type { NatsConnection } from '@nats-io/nats-core';
import { IAM_EVENTS_STREAM, ReplayResult } from '@iam/contracts';
import { AuthzRequestError } from '../errors';
import { createEphemeralConsumer, PULL_WINDOW, streamInfo, type EphemeralConsumer } from './ephemeral-consumer';
import type { EventApplier } from './event-applier';
import { PullLoop, type PulledMessage } from './pull-loop';
import { ReplayCursor } from './replay-cursor';

/** Where a replay starts: exactly one of a stream sequence or an ISO-8601 time. */
export interface ReplayRange {
  fromSequence?: number;
  since?: string;
}

/** Progress callback: `done` events re-applied of an estimated `total`. */
export type ProgressCallback = (done: number, total: number) => void;

const PROGRESS_INTERVAL_MS = 250;
/** Pull request lifetime; a pull is replaced before it expires (pull-plan.ts). */
const PULL_EXPIRES_MS = 5000;
/** Nothing received for this long: ask the server whether anything is left (ReplayCursor.idle). */
const IDLE_MS = 1000;

/** Validates a replay range; throws {@link AuthzRequestError} naming the field. */
export function validateReplayRange(range: unknown): ReplayRange {
  const value = (range ?? {}) as Record<string, unknown>;
  const hasFrom = value.fromSequence !== undefined && value.fromSequence !== null;
  const hasSince = value.since !== undefined && value.since !== null;
  if (hasFrom === hasSince) throw new AuthzRequestError('fromSequence', 'give exactly one of fromSequence or since');
  if (hasFrom) {
    if (typeof value.fromSequence !== 'number' || !Number.isInteger(value.fromSequence) || value.fromSequence < 1) {
      throw new AuthzRequestError('fromSequence', 'fromSequence must be an integer >= 1');
    }
    return { fromSequence: value.fromSequence };
  }
  if (typeof value.since !== 'string' || Number.isNaN(Date.parse(value.since))) {
    throw new AuthzRequestError('since', 'since must be an ISO-8601 time, e.g. 2024-05-01T12:00:00Z');
  }
  return { since: new Date(value.since).toISOString() };
}

/**
 * Re-applies the events of `range` up to the stream's last sequence at the
 * start of the replay, through a separate ephemeral consumer (the live
 * subscription is not touched). Applying is idempotent: an event removes
 * entries with its tags, again. Progress is reported at most every 250 ms
 * and once at the end.
 */
export async function replayStream(
  nc: NatsConnection,
  applier: EventApplier,
  range: ReplayRange,
  onProgress?: ProgressCallback,
): Promise<ReplayResult> {
  const started = performance.now();
  const info = await streamInfo(nc);
  const to = info.state.last_seq;
  const firstAvailable = Math.max(info.state.first_seq, 1);
  const result: ReplayResult = { fromSequence: range.fromSequence ?? 0, toSequence: to, applied: 0, invalidated: 0, malformed: 0, durationMs: 0 };
  const finish = (): ReplayResult => {
    result.durationMs = Math.round(performance.now() - started);
    onProgress?.(result.applied + result.malformed, result.applied + result.malformed);
    return result;
  };
  if (to === 0 || info.state.messages === 0 || (range.fromSequence !== undefined && range.fromSequence > to)) return finish();

  const start = range.fromSequence !== undefined ? Math.max(range.fromSequence, firstAvailable) : undefined;
  const cursor = new ReplayCursor(to, start);
  let session = await createEphemeralConsumer(nc, start !== undefined ? { sequence: start } : { time: range.since! }, 'authz_replay');
  let done = 0;
  let lastProgress = 0;
  let first: number | undefined;
  try {
    // What the consumer has to deliver from its start, for progress (messages past `to`, published meanwhile, are skipped).
    const pending = session.created.num_pending;
    let total = Math.min(pending, start !== undefined ? to - start + 1 : pending);
    const apply = (data: Uint8Array, sequence: number): void => {
      first ??= sequence;
      const applied = applier.apply(data, sequence);
      if (applied.kind === 'malformed') result.malformed += 1;
      else result.applied += 1;
      result.invalidated += applied.removed;
      done += 1;
      if (onProgress) {
        total = Math.max(total, done);
        const now = performance.now();
        if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
          lastProgress = now;
          onProgress(done, total);
        }
      }
    };
    while ((await consumeUntilDecided(nc, session, cursor, apply)) === 'restart') {
      cursor.restarting();
      await session.remove();
      const last = cursor.last;
      session = await createEphemeralConsumer(nc, last !== undefined ? { sequence: last + 1 } : { time: range.since! }, 'authz_replay');
    }
  } finally {
    await session.remove();
  }
  if (range.since !== undefined) result.fromSequence = first ?? to + 1;
  return finish();
}

/**
 * Consumes with overlapping pulls, applying in stream order what the cursor
 * accepts, until the cursor decides the replay is over (`end`) or the
 * consumer must be re-created (`restart`). Rejects if the connection closes
 * or the cursor gives up on a consumer that delivers nothing.
 */
function consumeUntilDecided(
  nc: NatsConnection,
  consumer: EphemeralConsumer,
  cursor: ReplayCursor,
  apply: (data: Uint8Array, sequence: number) => void,
): Promise<'end' | 'restart'> {
  return new Promise((resolve, reject) => {
    let received = 0;
    let receivedAtLastTick = -1;
    let checking = false;
    let outcome: 'end' | 'restart' | 'failed' | undefined;
    const settle = (decided: 'end' | 'restart' | Error): void => {
      if (outcome !== undefined) return;
      outcome = decided instanceof Error ? 'failed' : decided;
      clearInterval(idleTimer);
      void loop.close();
      if (decided instanceof Error) reject(decided);
      else resolve(decided);
    };
    const onMessage = (msg: PulledMessage): void => {
      if (outcome !== undefined) return;
      received += 1;
      const sequence = msg.seq;
      const offer = cursor.offer(sequence);
      if (offer === 'apply') {
        apply(msg.data, sequence);
        cursor.applied(sequence);
        if (cursor.complete) settle('end');
      } else if (offer !== 'skip') {
        settle(offer);
      }
    };
    const checkIdle = async (): Promise<void> => {
      if (outcome !== undefined || checking) return;
      if (received !== receivedAtLastTick) {
        receivedAtLastTick = received;
        return;
      }
      checking = true;
      try {
        const info = await consumer.info();
        // Something arrived meanwhile: not idle after all.
        if (outcome !== undefined || received !== receivedAtLastTick) return;
        const decision = cursor.idle({ numPending: info.num_pending, delivered: info.delivered.consumer_seq, received });
        if (decision === 'fail') {
          settle(new Error(`replay stalled after seq ${cursor.last ?? 'none'} of ${cursor.to}: re-created consumers delivered nothing (${info.num_pending} pending)`));
        } else {
          settle(decision);
        }
      } catch {
        // The consumer is gone or the server did not answer: a fresh consumer from the last applied + 1 either way.
        if (cursor.idle({ numPending: 1, delivered: 0, received }) === 'fail') {
          settle(new Error(`replay stalled after seq ${cursor.last ?? 'none'} of ${cursor.to}: consumer info failed repeatedly`));
        } else {
          settle('restart');
        }
      } finally {
        checking = false;
      }
    };
    const idleTimer = setInterval(() => void checkIdle(), IDLE_MS);
    const loop = new PullLoop(nc, IAM_EVENTS_STREAM, consumer.name, { window: PULL_WINDOW, expiresMs: PULL_EXPIRES_MS }, { onMessage });
    void loop.ended.then((error) => {
      if (outcome !== undefined) return;
      // The consumer was deleted under us: a fresh one from the last applied + 1, as when it vanishes silently.
      if (error && !nc.isClosed()) {
        settle(cursor.idle({ numPending: 1, delivered: 0, received }) === 'fail' ? new Error(`replay stalled after seq ${cursor.last ?? 'none'} of ${cursor.to}: ${error.message}`) : 'restart');
        return;
      }
      // The connection closed: nothing more can arrive.
      settle(new Error(`replay consumer ended before the replay did${error ? `: ${error.message}` : ''}`));
    });
  });
}
