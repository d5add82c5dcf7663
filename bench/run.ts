/*
 * Benchmarks: `npm run bench -- --json <file> [--only <name>]`.
 * Prints human lines and writes machine-readable JSON (with machine info).
 * Without --only, each benchmark runs in a process of its own, one after
 * the other, as it does with --only: one's leftovers (heap, compiled code,
 * timers) never weigh on the next, and a figure means the same either way.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runAuthorityCheck } from './authority-check';
import { runDecode } from './decode';
import { runGuardedRoute } from './guarded-route';
import { runHitPath } from './hit-path';
import { machineInfo } from './machine-info';
import { runMemory } from './memory';
import { runPropagation } from './propagation';
import { runRevokeDenial } from './revoke-denial';
import { runReplay } from './replay';

type Bench = (log: (line: string) => void) => Promise<object>;

const BENCHES: Record<string, Bench> = {
  hitPath: runHitPath,
  authorityCheck: runAuthorityCheck,
  decode: runDecode,
  propagation: runPropagation,
  revokeDenial: runRevokeDenial,
  guardedRoute: runGuardedRoute,
  replay: runReplay,
  memory: runMemory,
};

interface Args {
  json?: string;
  only?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--json' || flag === '--only') {
      if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
      args[flag === '--json' ? 'json' : 'only'] = value;
      i++;
    } else {
      throw new Error(`unknown argument ${flag} (accepted: --json <file>, --only <${Object.keys(BENCHES).join('|')}>)`);
    }
  }
  if (args.only !== undefined && !(args.only in BENCHES)) {
    throw new Error(`--only ${args.only}: accepted values are ${Object.keys(BENCHES).join(', ')}`);
  }
  return args;
}

/** Runs one benchmark in a child process (its output goes to ours) and returns its figures. */
async function runAlone(name: string): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'iam-bench-'));
  try {
    const file = join(dir, `${name}.json`);
    const child = spawn(process.execPath, [...process.execArgv, __filename, '--only', name, '--json', file], { stdio: 'inherit' });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`benchmark ${name} exited with code ${code}`);
    const { machine: _machine, benchEnv: _benchEnv, command: _command, ...figures } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const machine = machineInfo();
  log(`machine: ${machine.cpuModel} x${machine.cores}, node ${machine.node}`);
  // Size overrides (BENCH_*) change what a figure means: they travel with the results.
  const benchEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('BENCH_')));
  let results: Record<string, unknown> = { machine, benchEnv, command: `npm run bench -- ${process.argv.slice(2).join(' ')}` };
  if (args.only) {
    const result = await BENCHES[args.only](log);
    log(`${args.only}: ${JSON.stringify(result)}`);
    results = { ...results, ...result };
  } else {
    for (const name of Object.keys(BENCHES)) results = { ...results, ...(await runAlone(name)) };
  }
  if (args.json) {
    mkdirSync(dirname(args.json), { recursive: true });
    writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${args.json}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
