import { readRoute, ReadFacts } from './read-policy';

const healthy: ReadFacts = { enabled: true, cachingEnabled: true, failClosed: false, degraded: false, hasToken: false };

describe('readRoute', () => {
  it.each<[string, Partial<ReadFacts>, ReturnType<typeof readRoute>]>([
    ['healthy, no token: the cache', {}, 'cache'],
    ['a consistency token', { hasToken: true }, 'consistency'],
    ['kill switch', { enabled: false, hasToken: true }, 'disabled'],
    ['never live yet', { cachingEnabled: false }, 'not-live'],
    ['degraded, bounded policy: still the cache (the lease bounds it)', { degraded: true }, 'cache'],
    ['degraded, fail-closed', { degraded: true, failClosed: true }, 'fail-closed'],
    ['fail-closed but fresh', { failClosed: true }, 'cache'],
    ['fail-closed, degraded, with a token', { degraded: true, failClosed: true, hasToken: true }, 'fail-closed'],
  ])('%s', (_name, facts, route) => {
    expect(readRoute({ ...healthy, ...facts })).toBe(route);
  });
});
