import 'reflect-metadata';
import { Controller, Get, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'node:net';
import { TEST_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from '../test/support/credentials';
import { startBenchAuthority } from './bench-authority';
import { runHttpLoad } from './http-load';
import { median } from './machine-info';

/** Result of the authority throughput benchmark. */
export interface AuthorityCheckResult {
  authorityCheck: {
    /** Authority `POST /v1/check` (service token, varied questions) requests/s, median of the rounds. */
    checkRequestsPerSec: number;
    /** A plain Nest `GET` returning a constant, same framework and client, same run, median of the rounds. */
    plainRouteRequestsPerSec: number;
    /** Median over the rounds of (check req/s / plain req/s), each round measuring both back to back (goal >= 0.5). */
    ratio: number;
    /** Each round's ratio. */
    roundRatios: number[];
    rounds: number;
    /** Non-200 answers during the timed windows (must be 0). */
    errors: number;
    connections: number;
    durationMs: number;
    principals: number;
    groups: number;
    policies: number;
    database: 'pglite';
  };
}

const PRINCIPALS = 100;
const GROUPS = 10;
const POLICIES = 200;
const CONNECTIONS = 16;
const WARMUP_MS = Number(process.env.BENCH_AUTHORITY_WARMUP_MS ?? 1000);
const DURATION_MS = Number(process.env.BENCH_AUTHORITY_DURATION_MS ?? 3000);
/** Alternating rounds (plain, then check): the ratio is the median of the rounds' ratios, robust to load drifting between windows. */
const ROUNDS = Number(process.env.BENCH_AUTHORITY_ROUNDS ?? 3);
const ACTIONS = ['routers.read', 'routers.write', 'routers.delete', 'models.deploy', 'models.read', 'experiments.run'];

@Controller()
class PlainController {
  @Get('plain')
  plain(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [PlainController] })
class PlainModule {}

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same model. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Authority `POST /v1/check` throughput against a plain Nest route in the
 * same run and process, with the same client (16 keep-alive connections from
 * a worker thread). The authority runs on PGlite with a real nats-server;
 * the timed windows start once the relay has published the seeding (no
 * mutations and no publishing while measuring).
 */
export async function runAuthorityCheck(log: (line: string) => void): Promise<AuthorityCheckResult> {
  Logger.overrideLogger(['error', 'warn']);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    // Throughput of evaluation, not of the per-IP limiter (which a single load generator would hit at once).
    const { authority } = await startBenchAuthority(cleanups, { IAM_RATE_LIMIT_PER_MINUTE: '0' });
    const plain = await NestFactory.create(PlainModule, { logger: ['error', 'warn'] });
    cleanups.push(() => plain.close());
    await plain.listen(0, '127.0.0.1');
    const plainUrl = `http://127.0.0.1:${(plain.getHttpServer().address() as AddressInfo).port}/plain`;

    const admin = async (path: string, body?: unknown, method = 'POST'): Promise<void> => {
      const response = await fetch(`${authority.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    };
    const random = prng(42);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const principals = Array.from({ length: PRINCIPALS }, (_, i) => `user:u${i}@example.com`);
    const groups = Array.from({ length: GROUPS }, (_, i) => `group:g${i}`);
    log(`authority check: seeding ${PRINCIPALS} principals, ${GROUPS} groups, ${POLICIES} policies`);
    for (const id of principals) await admin('/v1/principals', { id });
    for (const id of groups) await admin('/v1/groups', { id });
    for (const [i, principal] of principals.entries()) {
      await admin(`/v1/groups/${groups[i % GROUPS]}/members/${principal}`, undefined, 'PUT');
      if (i % 3 === 0) await admin(`/v1/groups/${groups[(i * 7 + 3) % GROUPS]}/members/${principal}`, undefined, 'PUT');
    }
    await admin('/v1/roles', { id: 'reader', actions: ['routers.read', 'models.read'] });
    await admin('/v1/roles', { id: 'operator', actions: ['routers.*', 'models.*'] });
    for (let i = 0; i < POLICIES; i++) {
      const subject = random() < 0.3 ? pick(groups) : pick(principals);
      const project = Math.floor(random() * 20);
      const resources = [pick([`projects:${project}`, `projects:${project}:*`, `projects:${project}:**`, `projects:*:routers:${i}`])];
      const grant = random() < 0.3 ? { role: pick(['reader', 'operator']) } : { actions: [pick(ACTIONS)] };
      await admin('/v1/policies', { subjects: [subject], ...grant, resources, effect: random() < 0.15 ? 'deny' : 'allow' });
    }
    const questions = Array.from({ length: 1000 }, () => ({
      principal: pick(principals),
      action: pick(ACTIONS),
      resource: `projects:${Math.floor(random() * 20)}:routers:${Math.floor(random() * 50)}`,
    }));

    // The relay publishes the seeding's outbox rows in the background; measure once it is idle.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [row] = await authority.core.db.query<{ n: unknown }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL');
      if (Number(row.n) === 0) break;
      if (Date.now() > deadline) throw new Error(`the relay did not publish the seeding within 120 s (${String(row.n)} rows left)`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const common = { connections: CONNECTIONS, warmupMs: WARMUP_MS, durationMs: DURATION_MS };
    log(`authority check: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_MS} ms per figure (after ${WARMUP_MS} ms warm-up)`);
    const plainRates: number[] = [];
    const checkRates: number[] = [];
    const ratios: number[] = [];
    let errors = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const plainRun = await runHttpLoad({ ...common, url: plainUrl, method: 'GET' });
      const checkRun = await runHttpLoad({
        ...common,
        url: `${authority.url}/v1/check`,
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` },
        bodies: questions,
      });
      errors += plainRun.errors + checkRun.errors;
      plainRates.push(plainRun.requestsPerSec);
      checkRates.push(checkRun.requestsPerSec);
      ratios.push(Number((checkRun.requestsPerSec / plainRun.requestsPerSec).toFixed(3)));
      log(`  round ${round}: plain Nest route ${plainRun.requestsPerSec} req/s, authority POST /v1/check ${checkRun.requestsPerSec} req/s`);
    }
    return {
      authorityCheck: {
        checkRequestsPerSec: Math.round(median(checkRates)),
        plainRouteRequestsPerSec: Math.round(median(plainRates)),
        ratio: median(ratios),
        roundRatios: ratios,
        rounds: ROUNDS,
        errors,
        connections: CONNECTIONS,
        durationMs: DURATION_MS,
        principals: PRINCIPALS,
        groups: GROUPS,
        policies: POLICIES,
        database: 'pglite',
      },
    };
  } finally {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  }
}
