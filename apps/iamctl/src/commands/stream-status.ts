import { decodeEvent, IAM_EVENTS_STREAM } from '@iam/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { CliError } from '../errors';
import type { CliContext } from '../context';
import { renderKeyValues } from '../output/table';

/** What `iamctl stream status` reports. */
export interface StreamStatus {
  stream: string;
  messages: number;
  bytes: number;
  firstSequence: number;
  lastSequence: number;
  firstTime: string | null;
  lastTime: string | null;
  consumers: number;
  replicas: number;
  maxAgeSeconds: number;
  /** Revision of the last event on the stream, null when empty or unreadable. */
  lastEventRevision: number | null;
  lastEventType: string | null;
  cluster: { leader?: string; replicas: Array<{ name: string; current: boolean; lagging?: number }> } | null;
}

/** Reads the stream's info and its last event. */
async function readStreamStatus(ctx: CliContext): Promise<StreamStatus> {
  const nc = await ctx.nats();
  const jsm = await jetstreamManager(nc);
  let info;
  try {
    info = await jsm.streams.info(IAM_EVENTS_STREAM);
  } catch (error) {
    throw new CliError(`stream ${IAM_EVENTS_STREAM} not found or not readable: ${(error as Error).message}`, 1, 'STREAM_UNAVAILABLE');
  }
  const state = info.state;
  let lastEventRevision: number | null = null;
  let lastEventType: string | null = null;
  if (state.messages > 0) {
    const last = await jsm.streams.getMessage(IAM_EVENTS_STREAM, { seq: state.last_seq });
    // null: the last message was deleted since the info was read.
    const decoded = last === null ? null : decodeEvent(last.data);
    if (decoded !== null && decoded.kind !== 'error') {
      lastEventRevision = decoded.event.revision;
      lastEventType = decoded.event.type;
    }
  }
  return {
    stream: IAM_EVENTS_STREAM,
    messages: state.messages,
    bytes: state.bytes,
    firstSequence: state.first_seq,
    lastSequence: state.last_seq,
    firstTime: state.messages > 0 ? state.first_ts : null,
    lastTime: state.messages > 0 ? state.last_ts : null,
    consumers: state.consumer_count,
    replicas: info.config.num_replicas,
    maxAgeSeconds: Math.round(info.config.max_age / 1e9),
    lastEventRevision,
    lastEventType,
    cluster: info.cluster
      ? {
          leader: info.cluster.leader,
          replicas: (info.cluster.replicas ?? []).map((r) => ({ name: r.name, current: r.current, lagging: r.lag })),
        }
      : null,
  };
}

/** `iamctl stream status` */
export async function streamStatusCommand(ctx: CliContext): Promise<void> {
  const status = await readStreamStatus(ctx);
  const pairs: Array<[string, string | number | null]> = [
    ['stream', status.stream],
    ['messages', status.messages],
    ['bytes', status.bytes],
    ['first sequence', status.firstSequence],
    ['last sequence', status.lastSequence],
    ['first event at', status.firstTime],
    ['last event at', status.lastTime],
    ['last event revision', status.lastEventRevision],
    ['last event type', status.lastEventType],
    ['consumers', status.consumers],
    ['replicas', status.replicas],
    ['max age', `${Math.round(status.maxAgeSeconds / 3600)}h`],
  ];
  if (status.cluster) {
    pairs.push(['cluster leader', status.cluster.leader ?? null]);
    for (const replica of status.cluster.replicas) pairs.push([`replica ${replica.name}`, replica.current ? 'current' : `lagging ${replica.lagging ?? '?'}`]);
  }
  ctx.print(renderKeyValues(pairs), status);
}
