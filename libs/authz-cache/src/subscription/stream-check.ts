import type { StreamInfo } from '@nats-io/jetstream';

/** What a stream-info reply says that matters here. */
export interface StreamFacts {
  first_seq: number;
  last_seq: number;
  /** The stream's creation time: a recreated stream restarts its sequences. */
  created: string;
}

/** The facts of a nats.js stream-info reply. */
export function streamFacts(info: StreamInfo): StreamFacts {
  return { first_seq: info.state.first_seq, last_seq: info.state.last_seq, created: info.created };
}

/** What the stream looks like compared with what a subscriber applied. */
export type StreamCheck =
  /** Nothing lost. */
  | { kind: 'ok' }
  /** Another stream under the same name (its `created` time changed): everything applied is meaningless. */
  | { kind: 'recreated' }
  /** Same stream, but its last sequence is below the applied one (data loss, or a server still recovering). */
  | { kind: 'rewound' }
  /** Same stream, but events after the applied sequence are gone before they were applied (purge, age-out). */
  | { kind: 'gone'; from: number; to: number };

/**
 * Compares stream info with the subscriber's position. `appliedAtRequest` is
 * the applied sequence when the info was requested (a reply can only be
 * behind what was applied then: comparing it with a sequence applied while
 * it travelled would take a late reply for a rewind); `appliedNow` is the
 * applied sequence now (events applied since the request are not lost).
 * `knownCreated` is the `created` time seen before (undefined at the very
 * start). A purge while caught up is `ok`: nothing unapplied was lost.
 */
export function checkStream(info: StreamFacts, appliedAtRequest: number, appliedNow: number, knownCreated: string | undefined): StreamCheck {
  if (knownCreated !== undefined && info.created !== knownCreated) return { kind: 'recreated' };
  if (info.last_seq < appliedAtRequest) return { kind: 'rewound' };
  if (info.first_seq > appliedNow + 1) return { kind: 'gone', from: appliedNow + 1, to: info.first_seq - 1 };
  return { kind: 'ok' };
}
