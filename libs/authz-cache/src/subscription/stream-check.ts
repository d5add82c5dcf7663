import type { StreamInfo } from 'nats';

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
 * Compares stream info with the subscriber's position. `knownCreated` is the
 * `created` time seen before (undefined at the very start). A purge while
 * caught up is `ok`: nothing unapplied was lost.
 */
export function checkStream(info: StreamInfo, appliedSequence: number, knownCreated: string | undefined): StreamCheck {
  if (knownCreated !== undefined && info.created !== knownCreated) return { kind: 'recreated' };
  if (info.state.last_seq < appliedSequence) return { kind: 'rewound' };
  if (info.state.first_seq > appliedSequence + 1) return { kind: 'gone', from: appliedSequence + 1, to: info.state.first_seq - 1 };
  return { kind: 'ok' };
}
