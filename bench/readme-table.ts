/*
 * README "Performance" table from a bench JSON:
 *   node dist/bench/readme-table.js <results.json> [--write README.md]
 * Prints the table; with --write, replaces the block between the
 * `bench-table` markers of that file.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';

type Json = Record<string, Record<string, unknown> | undefined> & { command?: string };

const fmt = (n: unknown, digits = 0): string =>
  typeof n === 'number' ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'not measured';

/** Markdown rows: figure, measured, goal (issue 11). */
function tableOf(r: Json, file: string): string {
  const m = r.machine ?? {};
  const rows: Array<[string, string, string]> = [];
  const a = r.authorityCheck;
  if (a) rows.push([`authority \`POST /v1/check\` / plain Nest route (${String(a.database)})`, `${fmt(a.ratio, 3)} (${fmt(a.checkRequestsPerSec)} vs ${fmt(a.plainRouteRequestsPerSec)} req/s)`, '>= 0.5']);
  const g = r.guardedRoute;
  if (g) {
    const rounds = ((g.roundRatios as number[] | undefined) ?? []).map((x) => fmt(x, 3)).join(', ');
    const pairs = g.pairs === undefined ? '' : `; median of ${fmt(g.pairs)} paired 100 ms slices ${fmt(g.pairedMedianRatio, 3)}, p10-p90 ${fmt(g.pairRatioP10, 3)}-${fmt(g.pairRatioP90, 3)}`;
    rows.push([
      'guarded route (warm cache) / same route unguarded',
      `${fmt(g.ratio, 3)} (${fmt(g.guardedRequestsPerSec)} vs ${fmt(g.unguardedRequestsPerSec)} req/s; rounds ${rounds}${pairs})`,
      '>= 0.9',
    ]);
    if (g.noopGuardRatio !== undefined) rows.push(['same route behind a no-op guard / unguarded (Nest\'s own share)', fmt(g.noopGuardRatio, 3), '']);
  }
  const mem = r.memory;
  if (mem) {
    rows.push([`decision cache heap per entry at ${fmt(mem.decisionEntries)} entries (4 tags each)`, `${fmt(mem.decisionBytesPerEntry)} B`, '<= 300 B']);
    rows.push([`identity cache heap per entry at ${fmt(mem.identityEntries)} entries`, `${fmt(mem.identityBytesPerEntry)} B`, '']);
  }
  const rep = r.replay;
  if (rep) {
    rows.push([`replay into a warm cache, one instance (${fmt(rep.events)} events)`, `${fmt(rep.eventsPerSec)} events/s (decode + apply alone ${fmt(rep.applyOnlyEventsPerSec)}/s)`, '>= 100,000 events/s']);
    const perRound = rep.liveToReplayRatio === undefined ? '' : ` (live / replay per round, median: ${fmt(rep.liveToReplayRatio, 3)})`;
    rows.push(['live session catching up over the same events (the same pull loop)', `${fmt(rep.liveEventsPerSec)} events/s${perRound}`, '>= the replay']);
  }
  const d = r.decode;
  if (d) rows.push(['event decode (compiled validation)', `${fmt(d.eventsPerSec)} events/s (${fmt(d.ratioToJsonParse, 2)}x \`JSON.parse\`)`, '']);
  const h = r.hitPath;
  if (h) rows.push(['cached `check` on a warm key, in process', `${fmt(h.opsPerSec)} ops/s (${fmt(h.ratioToRawLru, 2)}x raw lru-cache)`, '']);
  const p = r.propagation;
  if (p) rows.push([`propagation, mutation response -> entry gone in ${String(p.consumers)} consumers (${fmt(p.events)} events)`, `p50 ${fmt(p.p50Ms, 1)} ms, p99 ${fmt(p.p99Ms, 1)} ms, max ${fmt(p.maxMs, 1)} ms${p.coldFirstMs !== undefined ? ` (first event after start-up, untimed: ${fmt(p.coldFirstMs, 1)} ms)` : ''}`, 'p99 <= 10 ms (quiet machine)']);
  const env = Object.entries(r.benchEnv ?? {})
    .map(([name, value]) => `${name}=${String(value)} `)
    .join('');
  const command = `${env}${typeof r.command === 'string' ? r.command : `npm run bench -- --json ${file}`}`;
  const load = Array.isArray(m.loadAverage) ? `, load average ${(m.loadAverage as number[]).join(' / ')}` : '';
  return [
    `\`${command}\` then \`node dist/bench/readme-table.js ${file} --write README.md\`;`,
    `${String(m.cpuModel)} x${String(m.cores)}, Node ${String(m.node)}, ${String(m.date)}${load}.`,
    '',
    '| figure | measured | goal |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

function main(): void {
  const [file, flag, target] = process.argv.slice(2);
  if (file === undefined || (flag !== undefined && (flag !== '--write' || target === undefined))) {
    throw new Error('usage: readme-table <results.json> [--write README.md]');
  }
  const table = tableOf(JSON.parse(readFileSync(file, 'utf8')) as Json, file);
  if (flag === undefined) {
    process.stdout.write(`${table}\n`);
    return;
  }
  const text = readFileSync(target, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from === -1 || to < from) throw new Error(`${target} has no ${START} ... ${END} block`);
  writeFileSync(target, `${text.slice(0, from + START.length)}\n${table}\n${text.slice(to)}`);
  process.stdout.write(`updated ${target}\n`);
}

if (require.main === module) main();
