import type { StreamInfo } from 'nats';
import { checkStream } from './stream-check';

function info(created: string, first_seq: number, last_seq: number): StreamInfo {
  return { created, state: { first_seq, last_seq } } as unknown as StreamInfo;
}

describe('checkStream', () => {
  const created = '2024-01-01T00:00:00Z';

  it('is ok while the next sequence is still (or not yet) in the stream', () => {
    expect(checkStream(info(created, 1, 10), 10, created)).toEqual({ kind: 'ok' });
    expect(checkStream(info(created, 5, 10), 7, created)).toEqual({ kind: 'ok' });
    // Purged while caught up: first_seq = last_seq + 1 = applied + 1, nothing unapplied was lost.
    expect(checkStream(info(created, 11, 10), 10, created)).toEqual({ kind: 'ok' });
    expect(checkStream(info(created, 1, 10), 10, undefined)).toEqual({ kind: 'ok' });
  });

  it('reports unapplied events that left the stream', () => {
    expect(checkStream(info(created, 14, 20), 10, created)).toEqual({ kind: 'gone', from: 11, to: 13 });
    expect(checkStream(info(created, 13, 12), 10, created)).toEqual({ kind: 'gone', from: 11, to: 12 });
  });

  it('reports a recreated stream (new created time) before anything else', () => {
    expect(checkStream(info('2024-02-01T00:00:00Z', 1, 50), 10, created)).toEqual({ kind: 'recreated' });
    expect(checkStream(info('2024-02-01T00:00:00Z', 0, 0), 10, created)).toEqual({ kind: 'recreated' });
  });

  it('reports a stream behind the applied sequence', () => {
    expect(checkStream(info(created, 1, 3), 10, created)).toEqual({ kind: 'rewound' });
  });
});
