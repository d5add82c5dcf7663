import { LRUCache } from 'lru-cache';
import type { CheckResult } from '@iam/contracts';
import { AuthzCacheCore, decisionKey, DecisionQuery } from '../libs/authz-cache/src/core';
import { median } from './machine-info';

/** Result of the hit-path benchmark. */
export interface HitPathResult {
  hitPath: {
    /**
     * `core.checkValue()` calls per second on warm keys: what AuthzService and
     * the guard call on a hit (an already-resolved promise of the answer).
     */
    opsPerSec: number;
    /** `core.check()` (the answer with its source, for callers that want it) per second. */
    readOpsPerSec: number;
    /** The same, awaiting every call (adds one microtask turn per check, as a guard does). */
    awaitedOpsPerSec: number;
    /** hitPath.opsPerSec / rawLru.opsPerSec (target >= 0.5). */
    ratioToRawLru: number;
    /** hitPath.opsPerSec / rawLru.precomputedKeyOpsPerSec (the strictest comparison). */
    ratioToPrecomputedKeyLru: number;
    distinctKeys: number;
    opsPerRound: number;
    rounds: number;
  };
  rawLru: {
    /**
     * Plain lru-cache `get` on comparable keys: the same key string built from
     * the same question each call, as any decision cache must (hashing a new
     * string dominates both).
     */
    opsPerSec: number;
    /** Plain lru-cache `get` on precomputed key strings (hash cached by V8): a lower bound no real lookup reaches. */
    precomputedKeyOpsPerSec: number;
  };
}

const KEYS = 10_000;
const OPS = Number(process.env.BENCH_HIT_OPS ?? 2_000_000);
const ROUNDS = 7;

function questions(): DecisionQuery[] {
  return Array.from({ length: KEYS }, (_, i) => ({
    principal: `user:u${i % 500}@example.com`,
    action: i % 2 ? 'routers.read' : 'models.deploy',
    resource: `projects:${i % 97}:routers:${i}`,
  }));
}

/** ops/s of `fn(i)` called OPS times, median of ROUNDS after one warm-up round. */
function measure(fn: (i: number) => unknown): number {
  const rates: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) fn(i);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (round > 0) rates.push(OPS / seconds);
  }
  return median(rates);
}

async function measureAwaited(fn: (i: number) => Promise<unknown>): Promise<number> {
  const rates: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) await fn(i);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (round > 0) rates.push(OPS / seconds);
  }
  return median(rates);
}

/** In-process: AuthzCacheCore.check on warm keys vs a raw lru-cache get, in the same run. */
export async function runHitPath(log: (line: string) => void): Promise<HitPathResult> {
  const qs = questions();
  const core = new AuthzCacheCore({
    loadDecision: async (q) => ({ allowed: true, revision: 1, tags: [`p:${q.principal}`, `r:${q.resource}`] }),
    loadIdentity: async () => null,
    // As the module runs it: the lease is checked on every hit (entries loaded at warm-up are older than
    // 0 ms, so the freshAsOf comparison is always evaluated too).
    maxStalenessMs: 0,
    // Entries must not turn soft-stale while measuring (a loaded machine can take minutes): hits only.
    softTtlMs: 3_600_000,
    hardTtlMs: 7_200_000,
  });
  core.renewLease(Number.MAX_SAFE_INTEGER);
  const partition = core.claimPartition();
  for (const q of qs) await core.check(partition, q);
  if (core.stats().decisionEntries !== KEYS) throw new Error('warm-up did not fill the cache');

  const raw = new LRUCache<string, CheckResult>({ max: 100_000 });
  const keys = qs.map((q) => decisionKey(partition, q.principal, q.action, q.resource));
  for (const key of keys) raw.set(key, { allowed: true, revision: 1, tags: [] });

  log(`hit path: ${KEYS} warm keys, ${ROUNDS} rounds of ${OPS} ops`);
  const rawOps = measure((i) => raw.get(keys[i % KEYS]));
  const rawBuildOps = measure((i) => {
    const q = qs[i % KEYS];
    return raw.get(decisionKey(partition, q.principal, q.action, q.resource));
  });
  const hitsBefore = core.stats().hits;
  const coreOps = measure((i) => core.checkValue(partition, qs[i % KEYS]));
  const readOps = measure((i) => core.check(partition, qs[i % KEYS]));
  const awaitedOps = await measureAwaited((i) => core.checkValue(partition, qs[i % KEYS]));
  const stats = core.stats();
  // Every measured call must have been a hit, or the figure measures something else.
  if (stats.hits - hitsBefore !== OPS * (ROUNDS + 1) * 3 || stats.misses !== KEYS) {
    throw new Error(`hit path benchmark saw misses: ${JSON.stringify(stats)}`);
  }
  return {
    hitPath: {
      opsPerSec: Math.round(coreOps),
      readOpsPerSec: Math.round(readOps),
      awaitedOpsPerSec: Math.round(awaitedOps),
      ratioToRawLru: Number((coreOps / rawBuildOps).toFixed(3)),
      ratioToPrecomputedKeyLru: Number((coreOps / rawOps).toFixed(3)),
      distinctKeys: KEYS,
      opsPerRound: OPS,
      rounds: ROUNDS,
    },
    rawLru: { opsPerSec: Math.round(rawBuildOps), precomputedKeyOpsPerSec: Math.round(rawOps) },
  };
}
