/*
 * Benchmarks: `npm run bench -- --json <file> [--only <name>]`.
 * Prints human lines and writes machine-readable JSON (with machine info).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const machine = machineInfo();
  log(`machine: ${machine.cpuModel} x${machine.cores}, node ${machine.node}`);
  // Size overrides (BENCH_*) change what a figure means: they travel with the results.
  const benchEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('BENCH_')));
  let results: Record<string, unknown> = { machine, benchEnv, command: `npm run bench -- ${process.argv.slice(2).join(' ')}` };
  for (const [name, bench] of Object.entries(BENCHES)) {
    if (args.only && args.only !== name) continue;
    const result = await bench(log);
    log(`${name}: ${JSON.stringify(result)}`);
    results = { ...results, ...result };
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
