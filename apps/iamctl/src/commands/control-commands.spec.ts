import { UsageError } from '../errors';
import { checkRows, hitRatio, replayRequest } from './control-commands';

describe('replayRequest', () => {
  const now = new Date('2024-05-01T12:00:00.000Z');

  it('turns --since into an ISO start time and keeps --service', () => {
    expect(replayRequest({ since: '1h', service: 'turing' }, now)).toEqual({ service: 'turing', since: '2024-05-01T11:00:00.000Z' });
  });

  it('passes --from-seq as fromSequence', () => {
    // Without --service the request says "every service" explicitly ("*").
    expect(replayRequest({ fromSeq: '42' }, now)).toEqual({ service: '*', fromSequence: 42 });
  });

  it('needs exactly one of --since and --from-seq', () => {
    expect(() => replayRequest({}, now)).toThrow(UsageError);
    expect(() => replayRequest({ since: '1h', fromSeq: '3' }, now)).toThrow(UsageError);
  });
});

describe('checkRows', () => {
  const ok = { service: 'turing', instanceId: 'a', status: 'ok' as const };

  it('accepts all replicas ok', () => {
    expect(() => checkRows([ok, { ...ok, instanceId: 'b' }], 'replay', 'turing')).not.toThrow();
  });

  it('fails when nobody answered, one failed, one did not finish or too few answered', () => {
    expect(() => checkRows([], 'replay', 'turing')).toThrow('no replica of service turing answered');
    expect(() => checkRows([ok, { ...ok, instanceId: 'b', status: 'failed' }], 'replay', 'turing')).toThrow('1 replica(s) failed');
    expect(() => checkRows([{ ...ok, status: 'no result' }], 'replay', undefined)).toThrow('1 did not finish');
    expect(() => checkRows([ok], 'replay', 'turing', 2)).toThrow('expected 2');
  });
});

describe('hitRatio', () => {
  it('counts stale hits as hits', () => {
    expect(hitRatio({ hits: 6, staleHits: 2, misses: 2 })).toBe('80.0%');
    expect(hitRatio({})).toBe('-');
  });
});
