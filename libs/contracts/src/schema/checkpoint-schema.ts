import { safeCount } from './json-schema';

/**
 * A freshness checkpoint (`iam.v1.checkpoint`): "at `issuedAt`, the authority
 * had committed `revision`, and every event up to it was on the stream at or
 * before stream sequence `sequence`".
 */
export const checkpointSchema = {
  title: 'Checkpoint',
  description:
    'Published by the active outbox relay on core NATS every IAM_CHECKPOINT_MS (default 250 ms), ' +
    'only while every event up to `revision` is on the stream. Not stored in the stream.',
  type: 'object',
  required: ['v', 'revision', 'sequence', 'stream', 'issuedAt', 'relay'],
  properties: {
    v: { description: 'Version of the checkpoint format.', const: 1 },
    revision: { ...safeCount, description: "The authority's committed revision when the checkpoint was made." },
    sequence: { ...safeCount, description: 'A stream sequence at or after the event of `revision` (0: empty stream).' },
    stream: { description: '`created` of the stream the sequence refers to (a recreated stream restarts its sequences).', type: 'string', minLength: 1, maxLength: 64 },
    issuedAt: { ...safeCount, description: 'Authority wall-clock time (ms since the epoch) when the state above was read.' },
    relay: { description: 'Instance id of the relay that sent it.', type: 'string', minLength: 1, maxLength: 128 },
  },
} as const;
