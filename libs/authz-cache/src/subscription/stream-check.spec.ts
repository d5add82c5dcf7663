import { checkStream, StreamFacts } from './stream-check';

function info(created: string, first_seq: number, last_seq: number): StreamFacts {
  return { created, first_seq, last_seq };
}

describe('checkStream', () => {
  const created = '2024-01-01T00:00:00Z';

  it('is ok while the next sequence is still (or not yet) in the stream', () => {
    expect(checkStream(info(created, 1, 10), 10, 10, created)).toEqual({ kind: 'ok' });
    expect(checkStream(info(created, 5, 10), 7, 7, created)).toEqual({ kind: 'ok' });
    // Purged while caught up: first_seq = last_seq + 1 = applied + 1, nothing unapplied was lost.
    expect(checkStream(info(created, 11, 10), 10, 10, created)).toEqual({ kind: 'ok' });
    expect(checkStream(info(created, 1, 10), 10, 10, undefined)).toEqual({ kind: 'ok' });
  });

  it('reports unapplied events that left the stream', () => {
    expect(checkStream(info(created, 14, 20), 10, 10, created)).toEqual({ kind: 'gone', from: 11, to: 13 });
    expect(checkStream(info(created, 13, 12), 10, 10, created)).toEqual({ kind: 'gone', from: 11, to: 12 });
  });

  it('does not count events applied while the reply travelled as gone', () => {
    expect(checkStream(info(created, 14, 20), 10, 13, created)).toEqual({ kind: 'ok' });
    expect(checkStream(info(created, 14, 20), 10, 12, created)).toEqual({ kind: 'gone', from: 13, to: 13 });
  });

  it('reports a recreated stream (new created time) before anything else', () => {
    expect(checkStream(info('2024-02-01T00:00:00Z', 1, 50), 10, 10, created)).toEqual({ kind: 'recreated' });
    expect(checkStream(info('2024-02-01T00:00:00Z', 0, 0), 10, 10, created)).toEqual({ kind: 'recreated' });
  });

  it('reports a stream behind the sequence applied when the info was requested', () => {
    expect(checkStream(info(created, 1, 3), 10, 10, created)).toEqual({ kind: 'rewound' });
  });

  it('takes a late reply (requested before a burst was applied) for what it is, not a rewind', () => {
    // Requested at applied 100, the burst 101..500 applied before the reply (last_seq 100) arrived.
    expect(checkStream(info(created, 1, 100), 100, 500, created)).toEqual({ kind: 'ok' });
  });
});
