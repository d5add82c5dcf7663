import { execFileSync } from 'node:child_process';
import type { CheckResult, ResolvedIdentity } from '@iam/contracts';
import { AuthzCacheCore } from '../libs/authz-cache/src/core';

/** Result of the memory benchmark (heap bytes per cached entry, after a full GC). */
export interface MemoryResult {
  memory: {
    /** Decision cache heap per entry at `decisionEntries` entries of 4 tags each (goal <= 300 B). */
    decisionBytesPerEntry: number;
    decisionEntries: number;
    tagsPerDecision: number;
    /** Identity cache heap per entry at `identityEntries` entries. */
    identityBytesPerEntry: number;
    identityEntries: number;
  };
}

const DECISIONS = Number(process.env.BENCH_MEMORY_DECISIONS ?? 1_000_000);
const IDENTITIES = Number(process.env.BENCH_MEMORY_IDENTITIES ?? 100_000);
const BATCH = 10_000;

/*
 * Workload: 10k principals in 1k groups, 1k policies, 100 projects x 1k
 * routers. Each answer is a fresh object with fresh tag strings (as decoded
 * from the authority's JSON): what the cache keeps of it is what we measure.
 * Questions (their strings) are built per batch and dropped, as requests are.
 */
function decisionTags(i: number): string[] {
  const principal = i % 10_000;
  return [
    `p:user:u${principal}@example.com`,
    `g:group:g${principal % 1_000}`,
    `pol:pol_${i % 1_000}`,
    `r:projects:${i % 100}:routers:${i % 100_000}`,
  ];
}

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('bench/memory child needs node --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Child-process body: fills each cache and prints bytes per entry as JSON. */
async function measureMemoryInChild(): Promise<MemoryResult> {
  const loadDecision = (q: { principal: string; action: string; resource: string }): Promise<CheckResult> => {
    const i = Number(q.resource.slice(q.resource.lastIndexOf('#') + 1));
    return Promise.resolve({ allowed: i % 7 !== 0, revision: 1, tags: JSON.parse(JSON.stringify(decisionTags(i))) as string[] });
  };
  const loadIdentity = (token: string): Promise<ResolvedIdentity | null> => {
    const i = Number(token.slice(token.lastIndexOf('_') + 1));
    const principal = `user:u${i}@example.com`;
    return Promise.resolve(
      JSON.parse(
        JSON.stringify({
          principal,
          groups: [`group:g${i % 1_000}`],
          tokenId: i.toString(16).padStart(16, '0'),
          expiresAt: null,
          revision: 1,
          tags: [`p:${principal}`, `g:group:g${i % 1_000}`],
        }),
      ) as ResolvedIdentity,
    );
  };
  const make = (): AuthzCacheCore =>
    new AuthzCacheCore({ loadDecision, loadIdentity, maxDecisions: DECISIONS + 1, maxIdentities: IDENTITIES + 1, maxStalenessMs: 60_000 });

  let core: AuthzCacheCore | undefined = make();
  const partition = core.claimPartition();
  const base = heapUsed();
  for (let i = 0; i < DECISIONS; i += BATCH) {
    const reads: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(i + BATCH, DECISIONS); j++) {
      reads.push(core.check(partition, { principal: `user:u${j % 10_000}@example.com`, action: 'routers.read', resource: `projects:${j % 100}:routers:${j % 100_000}#${j}` }));
    }
    await Promise.all(reads);
  }
  if (core.stats().decisionEntries !== DECISIONS) throw new Error(`decision cache holds ${core.stats().decisionEntries}, expected ${DECISIONS}`);
  const decisionBytes = (heapUsed() - base) / DECISIONS;
  core = undefined;

  core = make();
  const idPartition = core.claimPartition();
  const base2 = heapUsed();
  for (let i = 0; i < IDENTITIES; i += BATCH) {
    const reads: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(i + BATCH, IDENTITIES); j++) {
      reads.push(core.resolveIdentity(idPartition, `iam_${j.toString(16).padStart(16, '0')}_secretsecretsecret_${j}`));
    }
    await Promise.all(reads);
  }
  if (core.stats().identityEntries !== IDENTITIES) throw new Error(`identity cache holds ${core.stats().identityEntries}, expected ${IDENTITIES}`);
  const identityBytes = (heapUsed() - base2) / IDENTITIES;
  return {
    memory: {
      decisionBytesPerEntry: Math.round(decisionBytes),
      decisionEntries: DECISIONS,
      tagsPerDecision: 4,
      identityBytesPerEntry: Math.round(identityBytes),
      identityEntries: IDENTITIES,
    },
  };
}

/** Runs the measurement in a child `node --expose-gc` (a clean heap, and gc() available). */
export async function runMemory(log: (line: string) => void): Promise<MemoryResult> {
  log(`memory: ${DECISIONS} decisions (4 tags each), ${IDENTITIES} identities, in a child process`);
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', __filename, '--child'], {
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as MemoryResult;
}

if (process.argv.includes('--child')) {
  measureMemoryInChild().then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
