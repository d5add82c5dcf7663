import { decideReadiness, ReadinessFacts } from './readiness';

const live: ReadinessFacts = {
  enabled: true,
  everLive: true,
  degraded: false,
  degradedPolicy: 'bounded',
  maxStalenessMs: 5000,
  authorityReachable: true,
};

describe('decideReadiness (the freshness rule)', () => {
  it.each<[string, Partial<ReadinessFacts>, boolean]>([
    ['live, not degraded', {}, true],
    ['live, authority unreachable (the cache serves)', { authorityReachable: false }, true],
    ['never live yet', { everLive: false }, false],
    ['never live, even with the authority reachable', { everLive: false, authorityReachable: true }, false],
    ['broker blip: degraded, authority reachable', { degraded: true, degradedReason: 'NATS disconnected' }, true],
    ['broker blip: degraded, authority unreachable, lease young', { degraded: true, authorityReachable: false, freshAsOfAgeMs: 1200 }, true],
    ['degraded, authority unreachable, lease expired', { degraded: true, authorityReachable: false, freshAsOfAgeMs: 5001 }, false],
    ['degraded, authority unreachable, no lease reported', { degraded: true, authorityReachable: false }, false],
    ['fail-closed degraded: the cache is skipped, authority reachable', { degraded: true, degradedPolicy: 'fail-closed' }, true],
    ['fail-closed degraded, authority unreachable, lease young', { degraded: true, degradedPolicy: 'fail-closed', authorityReachable: false, freshAsOfAgeMs: 10 }, false],
    ['kill switch, authority reachable', { enabled: false, everLive: false }, true],
    ['kill switch, authority unreachable', { enabled: false, everLive: false, authorityReachable: false }, false],
  ])('%s -> ready=%s', (_name, facts, ready) => {
    const verdict = decideReadiness({ ...live, ...facts });
    expect(verdict.ready).toBe(ready);
    expect(verdict.reason).not.toBe('');
  });

  it('names the degraded reason in the verdict', () => {
    const verdict = decideReadiness({ ...live, degraded: true, degradedReason: 'no checkpoint for 1200 ms', authorityReachable: false });
    expect(verdict.reason).toContain('no checkpoint for 1200 ms');
  });
});
