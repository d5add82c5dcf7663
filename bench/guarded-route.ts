import 'reflect-metadata';
import { CanActivate, Controller, Get, INestApplication, Injectable, Logger, Module, Param, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'node:net';
import { AuthzCacheModule, AuthzService, RequirePermission } from '@iam/authz-cache';
import { TEST_ADMIN_TOKEN, TEST_CACHE_ADMIN_TOKEN, TEST_SERVICE_TOKEN } from '../test/support/credentials';
import { startBenchAuthority } from './bench-authority';
import { runHttpLoadAlternating } from './http-load';
import { pairedRatios, quantile } from './paired-slices';
import { median } from './machine-info';

/** Result of the guarded-route benchmark. */
export interface GuardedRouteResult {
  guardedRoute: {
    /** The route behind `@RequirePermission` (warm identity and decision caches), requests/s, median of the rounds. */
    guardedRequestsPerSec: number;
    /** The same handler without the guard, same app, same run, median of the rounds. */
    unguardedRequestsPerSec: number;
    /**
     * Guarded / unguarded (goal >= 0.9): per round, each route's requests
     * over its slices' time, the ratio of the two; the median of the rounds.
     * Everything the guard costs counts here, the collector's work for what
     * it allocates included.
     */
    ratio: number;
    roundRatios: number[];
    /**
     * The median, over every turn of every round, of a guarded slice's rate
     * over the mean of the unguarded slices just before and after it
     * (100 ms each): how a typical slice compares. A pause of the machine
     * lands in one or two slices and moves a few pairs, not this figure; as
     * it leaves out whatever pauses the guard itself brings on too, it is
     * reported beside `ratio` for the spread, not judged.
     */
    pairedMedianRatio: number;
    /** How many pairs `pairedMedianRatio` is the median of. */
    pairs: number;
    /** The pairs' 10th and 90th percentiles: their spread. */
    pairRatioP10: number;
    pairRatioP90: number;
    /**
     * The same handler behind a guard that returns `true` and does nothing
     * else, over unguarded, pooled per round as `ratio` is: what Nest's guard
     * pipeline itself costs (an execution context per request), the floor
     * under `ratio`.
     */
    noopGuardRatio: number;
    noopGuardRoundRatios: number[];
    /** The no-op guard's slices paired as `pairedMedianRatio` is, and the pairs' 10th and 90th percentiles. */
    noopGuardPairedMedianRatio: number;
    noopGuardPairRatioP10: number;
    noopGuardPairRatioP90: number;
    rounds: number;
    /** Non-200 answers in the timed windows (must be 0). */
    errors: number;
    /** Authority loads during the timed windows (0: every request was a cache hit). */
    authorityCallsWhileMeasuring: number;
    connections: number;
    durationMs: number;
  };
}

const ADA = 'user:ada@example.com';
const CONNECTIONS = 16;
const ROUTERS = 50;
/** Untimed, the routes already taking turns: the first rounds after 1 s of warm-up ran low for all three routes (JIT still tiering up). */
const WARMUP_MS = Number(process.env.BENCH_GUARDED_WARMUP_MS ?? 3000);
/** Per round, the three routes together. */
const DURATION_MS = Number(process.env.BENCH_GUARDED_DURATION_MS ?? 9000);
/** Five, the median reported: within one run of three, single rounds ranged 0.845-0.949 (2026-11-30), wider than the effects measured. */
const ROUNDS = Number(process.env.BENCH_GUARDED_ROUNDS ?? 5);
/**
 * Within a round the three routes take turns every 100 ms over the same
 * connections (each gets a third of `DURATION_MS`): runs of seconds back to
 * back swung by 10 % from one to the next on two shared cores, more than the
 * guard costs.
 */
const SLICE_MS = 100;

/** The routes' indexes in each round's `urls`, the order they take turns in. */
const OPEN = 0;
const GUARDED = 1;
const NOOP = 2;

const round3 = (value: number): number => Number(value.toFixed(3));

/** Lets everything through, synchronously: Nest's cost of a guard, without any of ours. */
@Injectable()
class NoopGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

// The unguarded route is matched first and the guarded one last: if anything, the router's order counts against the guard.
@Controller('projects/:project/routers')
class RoutersController {
  @Get('open/:id')
  open(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Get('noop/:id')
  @UseGuards(NoopGuard)
  noop(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Get('guarded/:id')
  @RequirePermission('routers.read', 'projects:{project}:routers:{id}')
  guarded(@Param('id') id: string): { id: string } {
    return { id };
  }
}

/**
 * A Nest app with the cache module (real authority on PGlite, real
 * nats-server) serving the same handler unguarded, guarded, and behind a
 * no-op guard; the three take turns every 100 ms under the client of
 * `authorityCheck` (16 keep-alive connections from a worker thread). Caches
 * are warm: every guarded request is an identity hit and a decision hit.
 */
export async function runGuardedRoute(log: (line: string) => void): Promise<GuardedRouteResult> {
  Logger.overrideLogger(['error', 'warn']);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const { nats, authority } = await startBenchAuthority(cleanups, { IAM_RATE_LIMIT_PER_MINUTE: '0' });
    const admin = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${authority.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const parsed = (await response.json()) as Record<string, unknown>;
      if (response.status >= 400) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(parsed)}`);
      return parsed;
    };
    await admin('/v1/principals', { id: ADA });
    await admin('/v1/policies', { subjects: [ADA], actions: ['routers.read'], resources: ['projects:1:**'], effect: 'allow' });
    const token = (await admin(`/v1/principals/${encodeURIComponent(ADA)}/tokens`, {})).token as string;

    @Module({
      imports: [
        AuthzCacheModule.forRoot({
          serviceName: 'bench',
          nats: { servers: [nats.url] },
          authority: { transport: 'nats', httpUrl: authority.url, serviceToken: TEST_SERVICE_TOKEN, timeoutMs: 2000 },
          adminToken: TEST_CACHE_ADMIN_TOKEN,
        }),
      ],
      controllers: [RoutersController],
    })
    class GuardedAppModule {}
    const app: INestApplication = await NestFactory.create(GuardedAppModule, { logger: ['error', 'warn'] });
    cleanups.push(() => app.close());
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/projects/1/routers`;
    const authz = app.get(AuthzService);
    for (let waited = 0; !authz.live; waited += 50) {
      if (waited > 30_000) throw new Error('the cache module did not go live within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const headers = { authorization: `Bearer ${token}` };
    // Warm every key the load touches (each connection walks the routers in turn).
    for (let id = 0; id < ROUTERS; id++) {
      const response = await fetch(`${base}/guarded/${id}`, { headers });
      if (response.status !== 200) throw new Error(`warm-up GET ${base}/guarded/${id}: ${response.status}`);
    }
    const missesBefore = authz.stats().cache?.misses ?? 0;
    const common = { connections: CONNECTIONS, warmupMs: WARMUP_MS, durationMs: DURATION_MS, method: 'GET' as const, headers };
    log(`guarded route: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_MS} ms, the routes taking turns every ${SLICE_MS} ms`);
    const guardedRates: number[] = [];
    const openRates: number[] = [];
    const ratios: number[] = [];
    const noopRatios: number[] = [];
    const guardedPairs: number[] = [];
    const noopPairs: number[] = [];
    let errors = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const { results, slices } = await runHttpLoadAlternating({ ...common, urls: [`${base}/open/7`, `${base}/guarded/7`, `${base}/noop/7`], sliceMs: SLICE_MS });
      const [open, guarded, noop] = results;
      errors += open.errors + guarded.errors + noop.errors;
      openRates.push(open.requestsPerSec);
      guardedRates.push(guarded.requestsPerSec);
      ratios.push(round3(guarded.requestsPerSec / open.requestsPerSec));
      noopRatios.push(round3(noop.requestsPerSec / open.requestsPerSec));
      guardedPairs.push(...pairedRatios(slices, OPEN, GUARDED));
      noopPairs.push(...pairedRatios(slices, OPEN, NOOP));
      log(`  round ${round}: unguarded ${open.requestsPerSec} req/s, guarded ${guarded.requestsPerSec} req/s, no-op guard ${noop.requestsPerSec} req/s`);
    }
    if (guardedPairs.length === 0) throw new Error('guarded route: no complete turn of the three routes was measured');
    return {
      guardedRoute: {
        guardedRequestsPerSec: Math.round(median(guardedRates)),
        unguardedRequestsPerSec: Math.round(median(openRates)),
        ratio: median(ratios),
        roundRatios: ratios,
        pairedMedianRatio: round3(median(guardedPairs)),
        pairs: guardedPairs.length,
        pairRatioP10: round3(quantile(guardedPairs, 0.1)),
        pairRatioP90: round3(quantile(guardedPairs, 0.9)),
        noopGuardRatio: median(noopRatios),
        noopGuardRoundRatios: noopRatios,
        noopGuardPairedMedianRatio: round3(median(noopPairs)),
        noopGuardPairRatioP10: round3(quantile(noopPairs, 0.1)),
        noopGuardPairRatioP90: round3(quantile(noopPairs, 0.9)),
        rounds: ROUNDS,
        errors,
        authorityCallsWhileMeasuring: (authz.stats().cache?.misses ?? 0) - missesBefore,
        connections: CONNECTIONS,
        durationMs: DURATION_MS,
      },
    };
  } finally {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  }
}
