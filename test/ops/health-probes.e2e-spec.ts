import { startTuring } from '../../apps/turing/src/bootstrap';
import { TestSystem } from '../e2e/support/system';
import { START_UP_HOOK_TIMEOUT_MS, waitFor } from '../support/wait';

jest.setTimeout(120_000);

interface Probe {
  status: number;
  body: { status: string; info?: Record<string, Record<string, unknown>>; error?: Record<string, Record<string, unknown>>; details?: Record<string, Record<string, unknown>> };
}

async function probe(url: string, path: string): Promise<Probe> {
  const response = await fetch(`${url}${path}`);
  return { status: response.status, body: (await response.json()) as Probe['body'] };
}

/*
 * Kubernetes probes on the real apps (authority, turing, merlin) and the
 * freshness rule for readiness: consumers reach the authority over HTTP here,
 * so NATS can go away while the authority stays, then the authority too.
 */
describe('/health/live and /health/ready (terminus)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ consumerEnv: { AUTHZ_TRANSPORT: 'http', AUTHZ_MAX_STALENESS_MS: '500' } });
    for (const { app } of system.services()) {
      await waitFor(async () => (await fetch(`${app.url}/health`)).ok, { timeoutMs: 20_000, description: 'the subscription to be live' });
      // Live is not yet fresh: the first checkpoint (every 250 ms) renews the lease.
      await waitFor(async () => ((await (await fetch(`${app.url}/health`)).json()) as { degraded?: boolean }).degraded === false, {
        timeoutMs: 20_000,
        description: 'the first checkpoint to renew the lease',
      });
    }
  }, START_UP_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await system?.dispose();
  });

  it('every app answers live and ready, in the terminus format, and /health keeps its JSON', async () => {
    for (const { url } of [system.authority, ...system.turing, ...system.merlin]) {
      expect(await probe(url, '/health/live')).toEqual({ status: 200, body: { status: 'ok', info: {}, error: {}, details: {} } });
      const ready = await probe(url, '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
    }
    const turing = await probe(system.turing[0].url, '/health/ready');
    expect(turing.body.details?.authz).toMatchObject({ status: 'up', source: 'cache', live: true, degraded: false, service: 'turing' });
    const authority = await probe(system.authority.url, '/health/ready');
    expect(authority.body.details).toMatchObject({ database: { status: 'up' }, nats: { status: 'up', connected: true } });
    const alias = await probe(system.turing[0].url, '/health');
    expect(alias).toMatchObject({ status: 200, body: { status: 'ok', live: true, service: 'turing' } });
    expect((await probe(system.authority.url, '/health')).body).toMatchObject({ status: 'ok', database: 'up', nats: 'connected' });
  });

  it('a broker outage the degraded mode covers keeps every instance ready; losing the authority too takes them out; live stays 200', async () => {
    await system.nats.stop();
    const consumers = system.services().map(({ app }) => app);
    for (const { url } of consumers) {
      await waitFor(async () => ((await probe(url, '/health')).body as unknown as { degraded?: boolean }).degraded === true, {
        timeoutMs: 20_000,
        description: 'degraded mode',
      });
      const ready = await probe(url, '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details?.authz).toMatchObject({ status: 'up', degraded: true, authorityReachable: true });
    }
    // The authority is still ready: mutations commit, events wait in the outbox.
    expect((await probe(system.authority.url, '/health/ready')).status).toBe(200);

    await system.authority.close();
    const guarded: Record<string, string> = { turing: '/v1/projects/p/routers', merlin: '/v1/projects/p/models' };
    for (const { name, app: { url } } of system.services()) {
      // Readiness is passive: the next read that needs the authority finds it gone.
      const token = `iam_${'0'.repeat(16)}_${'x'.repeat(43)}`; // well-formed: only the authority can say it is unknown
      const answer = await fetch(`${url}${guarded[name]}`, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(503); // cannot verify: never 200
      const notReady = await waitFor(
        async () => {
          const ready = await probe(url, '/health/ready');
          return ready.status === 503 ? ready : undefined;
        },
        { timeoutMs: 20_000, description: 'readiness to drop' },
      );
      expect(notReady.body.status).toBe('error');
      expect(notReady.body.error?.authz).toMatchObject({ status: 'down', authorityReachable: false, degraded: true });
      expect(String(notReady.body.error?.authz.reason)).toContain('unreachable');
      expect((await probe(url, '/health/live')).status).toBe(200);
    }
  });

  it('an instance whose subscription was never live is not ready', async () => {
    // NATS is still stopped: this turing starts, serves HTTP, and cannot subscribe.
    const fresh = await startTuring(system.consumerEnv());
    try {
      const ready = await probe(fresh.url, '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error?.authz).toMatchObject({ status: 'down', live: false });
      expect(String(ready.body.error?.authz.reason)).toContain('not been live');
      expect((await probe(fresh.url, '/health/live')).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
