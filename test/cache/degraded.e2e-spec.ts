import { TEST_SERVICE_TOKEN } from '../support/credentials';
import { NatsTestServer, startNatsServer } from '../support/nats-server';
import { freePort } from '../support/ports';
import { waitFor } from '../support/wait';
import { CacheApp, startCacheApp, testOptions } from './support/cache-app';
import { StandInAuthority } from '../support/stand-in-authority';

jest.setTimeout(90_000);

const ADA = 'user:ada@example.com';
const MAX_STALENESS_MS = 800;

/**
 * Degraded mode (semantics 8). The authority is reached over HTTP here, so
 * that NATS can be stopped while the authority stays up (and then stopped too).
 */
describe('degraded mode: NATS stopped, then the authority too', () => {
  let nats: NatsTestServer;
  let authority: StandInAuthority;
  let authorityUrl: string;
  const apps: CacheApp[] = [];

  async function app(overrides: Parameters<typeof testOptions>[1] = {}): Promise<CacheApp> {
    const started = await startCacheApp(
      testOptions(nats.url, {
        maxStalenessMs: MAX_STALENESS_MS,
        authority: { transport: 'http', httpUrl: authorityUrl, serviceToken: TEST_SERVICE_TOKEN, timeoutMs: 1000 },
        ...overrides,
      }),
    );
    apps.push(started);
    // Live, and fresh: the first checkpoint has arrived (before it nothing is proven fresh).
    await waitFor(() => started.authz.live && !started.authz.degraded, { description: 'the subscription to be live and fresh' });
    return started;
  }

  beforeEach(async () => {
    nats = await startNatsServer();
    authority = await StandInAuthority.start(nats.connectOptions());
    authorityUrl = await authority.startHttp();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await authority?.close();
    await nats?.dispose();
  });

  it('never serves an entry older than maxStalenessMs, answers 503 when the authority is down too, and resumes when NATS is back', async () => {
    const a = await app();
    const { token } = authority.mintToken(ADA);
    authority.allow(ADA, 'routers.read', 'projects:1:routers:1');
    let { seq: last } = await authority.publish('group.created', ['g:group:eng']);
    await waitFor(() => a.authz.stats().appliedSequence === last);
    expect((await a.get('/projects/1/routers/1', token)).status).toBe(200);
    const loadedAt = Date.now();

    await nats.stop();
    await waitFor(() => a.authz.degraded, { description: 'degraded mode' });
    expect(await a.get('/health')).toMatchObject({ status: 503, body: { live: false, degraded: true } });
    expect((await a.get('/metrics')).text).toMatch(/authz_cache_degraded\{[^}]*\} 1/);

    // A change the cache cannot hear about (NATS is down).
    authority.deny(ADA, 'routers.read', 'projects:1:routers:1');
    await waitFor(() => Date.now() - loadedAt > MAX_STALENESS_MS + 50, { description: 'the entry to pass maxStalenessMs' });
    const calls = authority.calls.check;
    expect(await a.get('/projects/1/routers/1', token)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    expect(authority.calls.check).toBeGreaterThan(calls);

    // Authority unreachable too: nothing young enough to serve, so 503, never an allow.
    authority.allow(ADA, 'routers.read', 'projects:1:routers:2');
    expect((await a.get('/projects/1/routers/2', token)).status).toBe(200);
    const loaded2 = Date.now();
    await authority.stopHttp();
    await waitFor(() => Date.now() - loaded2 > MAX_STALENESS_MS + 50, { description: 'the second entry to pass maxStalenessMs' });
    expect(await a.get('/projects/1/routers/2', token)).toMatchObject({ status: 503, body: { code: 'AUTHZ_UNAVAILABLE' } });
    expect(await a.get('/projects/1/routers/1', token)).toMatchObject({ status: 503, body: { code: 'AUTHZ_UNAVAILABLE' } });

    // NATS and the authority come back: the subscription resumes after the last applied sequence.
    await nats.restart();
    authorityUrl = await authority.startHttp(Number(new URL(authorityUrl).port));
    await waitFor(() => a.authz.live && !a.authz.degraded, { timeoutMs: 20_000, description: 'degraded mode to clear' });
    const before = a.authz.stats().appliedSequence;
    expect(before).toBe(last);
    await waitFor(async () => !authority.nc.isClosed() && (await authority.streamInfo()).state.last_seq === last, { timeoutMs: 15_000 });
    for (let i = 0; i < 3; i += 1) last = (await authority.publish('policy.updated', [`p:${ADA}`])).seq;
    await waitFor(() => a.authz.stats().appliedSequence === last, { description: 'the events after the outage' });
    expect(a.subscriber?.status()).toMatchObject({ gapFlushes: 0, eventsApplied: 4 });
    expect(await a.get('/health')).toMatchObject({ status: 200, body: { live: true, degraded: false } });
    expect((await a.get('/projects/1/routers/2', token)).status).toBe(200);
  });

  it('with degradedPolicy fail-closed, skips the cache entirely while degraded', async () => {
    const a = await app({ degradedPolicy: 'fail-closed', maxStalenessMs: 60_000 });
    authority.allow(ADA, 'routers.read', 'projects:1');
    await a.authz.check(ADA, 'routers.read', 'projects:1');
    const cached = authority.calls.check;
    await a.authz.check(ADA, 'routers.read', 'projects:1');
    expect(authority.calls.check).toBe(cached);

    await nats.stop();
    await waitFor(() => a.authz.degraded);
    for (let i = 0; i < 3; i += 1) await a.authz.check(ADA, 'routers.read', 'projects:1');
    expect(authority.calls.check).toBe(cached + 3);
    await nats.restart();
    await waitFor(() => !a.authz.degraded, { timeoutMs: 20_000 });
  });

  it('lets a read with a consistency token wait for the stream, then serves from the cache', async () => {
    const a = await app({ consistencyWaitMs: 10_000 });
    authority.allow(ADA, 'routers.read', 'projects:1');
    await a.authz.check(ADA, 'routers.read', 'projects:1');
    const calls = authority.calls.check;
    const { revision } = await authority.publish('group.created', ['g:group:unrelated']);
    const result = await a.authz.check(ADA, 'routers.read', 'projects:1', { minRevision: revision });
    expect(result.allowed).toBe(true);
    expect(a.authz.stats().appliedRevision).toBeGreaterThanOrEqual(revision);
    expect(authority.calls.check).toBe(calls);
  });

  it('shuts down promptly while NATS is down (no drain hang)', async () => {
    const a = await app();
    await nats.stop();
    await waitFor(() => a.authz.degraded);
    apps.splice(apps.indexOf(a), 1);
    const started = Date.now();
    await a.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    await nats.restart();
  });

  it('starts without NATS at all: /health 503, every read asks the authority, and closes promptly', async () => {
    const nowhere = `nats://127.0.0.1:${await freePort()}`;
    const a = await startCacheApp(
      testOptions(nowhere, { authority: { transport: 'http', httpUrl: authorityUrl, serviceToken: TEST_SERVICE_TOKEN, timeoutMs: 1000 } }),
    );
    try {
      const { token } = authority.mintToken(ADA);
      authority.allow(ADA, 'routers.read', 'projects:1:routers:1');
      const calls = authority.calls.check;
      for (let i = 0; i < 3; i += 1) expect((await a.get('/projects/1/routers/1', token)).status).toBe(200);
      expect(authority.calls.check - calls).toBe(3);
      expect(await a.get('/health')).toMatchObject({ status: 503, body: { live: false } });
    } finally {
      const started = Date.now();
      await a.close();
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });
});
