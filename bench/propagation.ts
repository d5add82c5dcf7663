import 'reflect-metadata';
import { INestApplicationContext, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthzCacheModule, AuthzService } from '@iam/authz-cache';
import { TEST_ADMIN_TOKEN, TEST_CACHE_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from '../test/support/credentials';
import { startBenchAuthority } from './bench-authority';
import { percentile } from './machine-info';

/** Result of the propagation benchmark. */
export interface PropagationResult {
  propagation: {
    /** Mutation HTTP response received -> the affected entry gone in all 3 consumers (ms). */
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    meanMs: number;
    /** The first event after start-up, before the timed rounds (not in the figures above). */
    coldFirstMs: number;
    events: number;
    consumers: number;
    transport: 'nats';
    database: 'pglite';
  };
}

const EVENTS = Number(process.env.BENCH_PROPAGATION_EVENTS ?? 1000);
const CONSUMERS = 3;
const WARM_UP_ROUNDS = 2;
const ADA = 'user:ada@example.com';
const QUESTION = ['routers.read', 'projects:1:routers:1'] as const;

/** Resolves when `done()` holds, checking on every turn of the event loop (sub-millisecond resolution). */
function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (done()) resolve();
      else if (performance.now() > deadline) reject(new Error(`not done within ${timeoutMs} ms`));
      else setImmediate(poll);
    };
    poll();
  });
}

/**
 * Authority (PGlite, real nats-server) -> 3 consumer instances (each an
 * in-process Nest application context with its own NATS connection and
 * ordered consumer). Each round: a policy mutation for ada over HTTP, then
 * the time until every consumer has applied its event (the applied revision
 * is raised only after the matching entries are removed), then the entry is
 * checked gone and re-warmed (untimed).
 */
export async function runPropagation(log: (line: string) => void): Promise<PropagationResult> {
  Logger.overrideLogger(['error', 'warn']);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const { nats, authority } = await startBenchAuthority(cleanups);

    const admin = async (method: string, path: string, body?: unknown): Promise<{ id?: string; revision: number }> => {
      const response = await fetch(`${authority.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const parsed = (await response.json()) as { id?: string; revision?: number };
      if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
      return { id: parsed.id, revision: Number(response.headers.get('x-iam-revision') ?? parsed.revision) };
    };

    const consumers: AuthzService[] = [];
    for (let i = 0; i < CONSUMERS; i++) {
      @Module({
        imports: [
          AuthzCacheModule.forRoot({
            serviceName: 'bench',
            nats: { servers: [nats.url] },
            authority: { transport: 'nats', httpUrl: authority.url, serviceToken: TEST_SERVICE_TOKEN, timeoutMs: 2000 },
            // The consumer's own cache-admin token, never the authority's.
            adminToken: TEST_CACHE_ADMIN_TOKEN,
          }),
        ],
      })
      class ConsumerModule {}
      const context: INestApplicationContext = await NestFactory.createApplicationContext(ConsumerModule, { logger: ['error', 'warn'] });
      cleanups.push(() => context.close());
      const authz = context.get(AuthzService);
      await until(() => authz.live, 30_000);
      consumers.push(authz);
    }

    await admin('POST', '/v1/principals', { id: ADA });
    const warm = async () => {
      for (const c of consumers) await c.check(ADA, ...QUESTION);
    };
    await warm();
    log(`propagation: ${EVENTS} events, authority -> ${CONSUMERS} consumers`);

    const samples: number[] = [];
    let policyId: string | undefined;
    let coldFirstMs = 0;
    // Two untimed rounds first (a create and a delete): the very first event also compiles the code paths of
    // the relay, the consumers and the checks (100-180 ms here, in every run); it is reported as coldFirstMs.
    for (let i = -WARM_UP_ROUNDS; i < EVENTS; i++) {
      const invalidatedBefore = consumers.map((c) => c.stats().cache?.invalidatedEntries ?? 0);
      let revision: number;
      let sent: number;
      if (policyId === undefined) {
        const created = await admin('POST', '/v1/policies', { subjects: [ADA], actions: ['routers.read'], resources: ['projects:1:**'], effect: 'allow' });
        sent = performance.now();
        policyId = created.id;
        revision = created.revision;
      } else {
        revision = (await admin('DELETE', `/v1/policies/${policyId}`)).revision;
        sent = performance.now();
        policyId = undefined;
      }
      await until(() => consumers.every((c) => c.stats().appliedRevision >= revision), 10_000);
      if (i >= 0) samples.push(performance.now() - sent);
      else if (i === -WARM_UP_ROUNDS) coldFirstMs = performance.now() - sent;
      consumers.forEach((c, n) => {
        if ((c.stats().cache?.invalidatedEntries ?? 0) <= invalidatedBefore[n]) throw new Error(`round ${i}: consumer ${n} applied the event but removed nothing`);
      });
      await warm();
      if (i >= 0 && (i + 1) % 250 === 0) log(`  ${i + 1}/${EVENTS}`);
    }
    const round = (ms: number) => Number(ms.toFixed(3));
    return {
      propagation: {
        p50Ms: round(percentile(samples, 50)),
        p99Ms: round(percentile(samples, 99)),
        maxMs: round(Math.max(...samples)),
        meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length),
        coldFirstMs: round(coldFirstMs),
        events: samples.length,
        consumers: CONSUMERS,
        transport: 'nats',
        database: 'pglite',
      },
    };
  } finally {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  }
}
