import { decodeEvent, IAM_EVENTS_STREAM, isKnownEventType, subjectFor } from '@iam/contracts';
import { jetstream, jetstreamManager, type JsMsg, type OrderedConsumerOptions } from '@nats-io/jetstream';
import type { CliContext } from '../context';
import { parsePositiveInt } from '../duration';
import { UsageError } from '../errors';

/** Flags of `iamctl events tail`. */
export interface EventsTailFlags {
  type?: string;
  fromSeq?: string;
  limit?: string;
  follow?: boolean;
}

/** One line of output. */
export interface TailedEvent {
  seq: number;
  subject: string;
  /** `event`, `unreadable` (unknown type / newer version) or `error` (malformed). */
  kind: 'event' | 'unreadable' | 'error';
  id?: string;
  type?: string;
  revision?: number;
  occurredAt?: string;
  actor?: string;
  tags?: string[];
  payload?: unknown;
  error?: string;
}

/** Decodes a stream message for printing (never throws). */
export function describeMessage(seq: number, subject: string, data: Uint8Array): TailedEvent {
  const decoded = decodeEvent(data);
  if (decoded.kind === 'error') return { seq, subject, kind: 'error', error: `${decoded.error.code}: ${decoded.error.message}` };
  const e = decoded.event;
  return { seq, subject, kind: decoded.kind, id: e.id, type: e.type, revision: e.revision, occurredAt: e.occurredAt, actor: e.actor, tags: e.tags, payload: e.payload };
}

/** `#12  2024-05-01T10:00:00.000Z  rev 12  policy.deleted  by admin  tags p:user:ada@x, pol:pol_1` */
export function formatTailedEvent(event: TailedEvent): string {
  if (event.kind === 'error') return `#${event.seq}  ${event.subject}  MALFORMED  ${event.error}`;
  const flag = event.kind === 'unreadable' ? '  (unreadable: unknown type or newer version)' : '';
  return `#${event.seq}  ${event.occurredAt}  rev ${event.revision}  ${event.type}  by ${event.actor}  tags ${(event.tags ?? []).join(', ') || '-'}${flag}`;
}

/**
 * `iamctl events tail`, like `tail -f`: prints events with an ordered
 * consumer (ephemeral, nothing left behind). Without `--from-seq`, the last
 * `--limit` (default 20) stream messages; with it, from there on (at most
 * `--limit` without `--follow`). `--follow` then keeps printing new events
 * until Ctrl-C.
 */
export async function eventsTailCommand(ctx: CliContext, flags: EventsTailFlags): Promise<void> {
  if (flags.type !== undefined && !isKnownEventType(flags.type)) {
    throw new UsageError(`--type ${flags.type} is not an event type (e.g. policy.deleted, token.revoked)`);
  }
  const limit = flags.limit === undefined ? 20 : parsePositiveInt('--limit', flags.limit);
  const nc = await ctx.nats();
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(IAM_EVENTS_STREAM);
  const { first_seq: firstSeq, last_seq: lastSeq } = info.state;
  let startSeq: number;
  if (flags.fromSeq !== undefined) startSeq = Math.max(parsePositiveInt('--from-seq', flags.fromSeq), firstSeq);
  else startSeq = Math.max(firstSeq, lastSeq - limit + 1, 1);
  if (!flags.follow && (info.state.messages === 0 || startSeq > lastSeq)) {
    if (!ctx.options.json) ctx.io.err('no events\n');
    return;
  }
  // Typed, not spread: a misspelt option name (nats.js 2 said filterSubjects) is a compile error, not a silent no-op.
  const consumerOptions: Partial<OrderedConsumerOptions> = { opt_start_seq: startSeq };
  if (flags.type) consumerOptions.filter_subjects = subjectFor(flags.type);
  const consumer = await jetstream(nc).consumers.get(IAM_EVENTS_STREAM, consumerOptions);
  let printed = 0;
  for (;;) {
    const message: JsMsg | null = await consumer.next({ expires: flags.follow ? 30_000 : 2_000 });
    if (message) {
      const event = describeMessage(message.seq, message.subject, message.data);
      ctx.io.out(ctx.options.json ? `${JSON.stringify(event)}\n` : `${formatTailedEvent(event)}\n`);
      printed++;
      if (flags.follow) continue; // like tail -f: the past --limit events, then everything new
      if (printed >= limit || message.info.pending === 0 || message.seq >= lastSeq) break;
    } else if (!flags.follow) {
      break;
    }
  }
  await consumer.delete().catch(() => undefined);
}
