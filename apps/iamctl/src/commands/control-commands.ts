import { ALL_SERVICES, CONTROL_SUBJECTS, RebuildResult, ReplayResult } from '@iam/contracts';
import type { CliContext } from '../context';
import { ControlCollector, InstanceOutcome, summariseOutcomes } from '../control/control-collector';
import { ProgressDisplay } from '../control/progress-display';
import { scatterGather } from '../control/scatter-gather';
import { parsePositiveInt, parseSince } from '../duration';
import { CliError, UsageError } from '../errors';
import { Column, renderTable } from '../output/table';

/** Flags every control command shares. */
export interface ControlFlags {
  service?: string;
  /** Stop once this many replicas answered; fewer is a failure. */
  expect?: string;
  /** Quiet period that ends collecting, ms. */
  wait?: string;
}

/** One row of a control command's output. */
export interface ReplicaRow<T> {
  service: string;
  instanceId: string;
  status: 'ok' | 'failed' | 'no result';
  result?: T;
  error?: { code: string; message: string };
}

/** Sends a control request to every matching instance, shows progress, returns one row per replica. */
async function runControl<T>(ctx: CliContext, subject: string, request: object, flags: ControlFlags): Promise<ReplicaRow<T>[]> {
  const expect = flags.expect === undefined ? undefined : parsePositiveInt('--expect', flags.expect);
  const quietMs = flags.wait === undefined ? 1000 : parsePositiveInt('--wait', flags.wait);
  const nc = await ctx.nats();
  const display = new ProgressDisplay((text) => ctx.io.err(text), ctx.io.errIsTTY && !ctx.options.json);
  let last: ControlCollector<unknown> | undefined;
  const outcomes = await scatterGather<T>(nc, subject, request, {
    operatorKey: ctx.operatorKey(),
    inboxPrefix: ctx.options.natsSecurity.inboxPrefix,
    quietMs,
    timeoutMs: Math.max(ctx.options.timeoutMs, 30_000),
    expect,
    onUpdate: (collector) => display.update((last = collector)),
  });
  if (last) display.update(last, true);
  return outcomes.map(toRow);
}

function toRow<T>(outcome: InstanceOutcome<T>): ReplicaRow<T> {
  const status = !outcome.reply ? 'no result' : outcome.reply.ok ? 'ok' : 'failed';
  return { service: outcome.service, instanceId: outcome.instanceId, status, result: outcome.reply?.result, error: outcome.reply?.error };
}

/** Exit status of a control command: every replica ok, at least one (or `--expect`) answered. */
export function checkRows<T>(rows: ReplicaRow<T>[], what: string, service: string | undefined, expect?: number): void {
  const summary = summariseOutcomes(rows.map((r) => ({ ...r, reply: r.status === 'no result' ? undefined : { ok: r.status === 'ok' } })) as never);
  const target = service ? `service ${service}` : 'any service';
  if (rows.length === 0) throw new CliError(`no replica of ${target} answered the ${what} request`, 1, 'NO_REPLICA');
  if (summary.failed > 0 || summary.unfinished > 0) {
    throw new CliError(`${what}: ${summary.failed} replica(s) failed, ${summary.unfinished} did not finish`, 1, 'REPLICA_FAILED');
  }
  if (expect !== undefined && rows.length < expect) throw new CliError(`${what}: ${rows.length} replica(s) answered, expected ${expect}`, 1, 'TOO_FEW_REPLICAS');
}

function statusColumns<T>(): Column<ReplicaRow<T>>[] {
  return [
    { header: 'SERVICE', value: (r) => r.service },
    { header: 'INSTANCE', value: (r) => r.instanceId },
    { header: 'STATUS', value: (r) => (r.error ? `${r.status} (${r.error.code}: ${r.error.message})` : r.status) },
  ];
}

/** Flags of `iamctl replay`. */
export interface ReplayFlags extends ControlFlags {
  since?: string;
  fromSeq?: string;
}

/** Builds the replay request from the flags (exactly one of --since / --from-seq). */
export function replayRequest(flags: ReplayFlags, now = new Date()): { service?: string; since?: string; fromSequence?: number } {
  if ((flags.since === undefined) === (flags.fromSeq === undefined)) throw new UsageError('replay needs exactly one of --since <1h|30m|ISO time> or --from-seq <n>');
  // Without --service the operator asked for every service: say so on the wire ("*"); services ignore requests without `service`.
  const request: { service?: string; since?: string; fromSequence?: number } = { service: flags.service ?? ALL_SERVICES };
  if (flags.since !== undefined) request.since = parseSince(flags.since, now).toISOString();
  else request.fromSequence = parsePositiveInt('--from-seq', flags.fromSeq!);
  return request;
}

/** `iamctl replay` */
export async function replayCommand(ctx: CliContext, flags: ReplayFlags): Promise<ReplicaRow<ReplayResult>[]> {
  const request = replayRequest(flags);
  const rows = await runControl<ReplayResult>(ctx, CONTROL_SUBJECTS.replay, request, flags);
  const columns: Column<ReplicaRow<ReplayResult>>[] = [
    ...statusColumns<ReplayResult>(),
    { header: 'FROM', value: (r) => r.result?.fromSequence, align: 'right' },
    { header: 'TO', value: (r) => r.result?.toSequence, align: 'right' },
    { header: 'APPLIED', value: (r) => r.result?.applied, align: 'right' },
    { header: 'INVALIDATED', value: (r) => r.result?.invalidated, align: 'right' },
    { header: 'MALFORMED', value: (r) => r.result?.malformed, align: 'right' },
    { header: 'MS', value: (r) => r.result?.durationMs, align: 'right' },
  ];
  ctx.print(renderTable(columns, rows), { request, replicas: rows });
  checkRows(rows, 'replay', flags.service, flags.expect === undefined ? undefined : Number(flags.expect));
  return rows;
}

/** Flags of `iamctl rebuild`. */
export interface RebuildFlags extends ControlFlags {
  topN?: string;
  concurrency?: string;
}

/** `iamctl rebuild` */
export async function rebuildCommand(ctx: CliContext, flags: RebuildFlags): Promise<ReplicaRow<RebuildResult>[]> {
  if (!flags.service) throw new UsageError('rebuild needs --service <name> (a rebuild of every service at once is a stampede)');
  const request: { service: string; topN?: number; concurrency?: number } = { service: flags.service };
  if (flags.topN !== undefined) request.topN = parsePositiveInt('--top-n', flags.topN);
  if (flags.concurrency !== undefined) request.concurrency = parsePositiveInt('--concurrency', flags.concurrency);
  const rows = await runControl<RebuildResult>(ctx, CONTROL_SUBJECTS.rebuild, request, flags);
  const columns: Column<ReplicaRow<RebuildResult>>[] = [
    ...statusColumns<RebuildResult>(),
    { header: 'FLUSHED', value: (r) => r.result?.flushed, align: 'right' },
    { header: 'WARMED', value: (r) => r.result?.warmed, align: 'right' },
    { header: 'FAILED', value: (r) => r.result?.failed, align: 'right' },
    { header: 'MAX IN FLIGHT', value: (r) => r.result?.maxInFlight, align: 'right' },
    { header: 'MS', value: (r) => r.result?.durationMs, align: 'right' },
  ];
  ctx.print(renderTable(columns, rows), { request, replicas: rows });
  checkRows(rows, 'rebuild', flags.service, flags.expect === undefined ? undefined : Number(flags.expect));
  return rows;
}

/** Counters of one cache instance (the module's `AuthzService.stats().cache`). */
interface CacheCounters {
  decisionEntries?: number;
  identityEntries?: number;
  hits?: number;
  misses?: number;
  staleHits?: number;
}

/** The fields of a replica's stats that the table shows (the JSON output has all of them). */
type CacheStatsView = Record<string, unknown> & {
  enabled?: boolean;
  live?: boolean;
  degraded?: boolean;
  appliedSequence?: number;
  lag?: number;
  appliedRevision?: number;
  /** null when the cache is disabled (kill switch). */
  cache?: CacheCounters | null;
};

/** Hit ratio as a percentage, or '-' before any read. */
export function hitRatio(counters: CacheCounters | null | undefined): string {
  const hits = (counters?.hits ?? 0) + (counters?.staleHits ?? 0);
  const total = hits + (counters?.misses ?? 0);
  return total === 0 ? '-' : `${((hits / total) * 100).toFixed(1)}%`;
}

/** `iamctl cache stats` */
export async function cacheStatsCommand(ctx: CliContext, flags: ControlFlags): Promise<ReplicaRow<CacheStatsView>[]> {
  const rows = await runControl<CacheStatsView>(ctx, CONTROL_SUBJECTS.stats, { service: flags.service ?? ALL_SERVICES }, flags);
  const columns: Column<ReplicaRow<CacheStatsView>>[] = [
    ...statusColumns<CacheStatsView>(),
    { header: 'LIVE', value: (r) => r.result?.live },
    { header: 'DEGRADED', value: (r) => r.result?.degraded },
    { header: 'APPLIED SEQ', value: (r) => r.result?.appliedSequence, align: 'right' },
    { header: 'LAG', value: (r) => r.result?.lag, align: 'right' },
    { header: 'REVISION', value: (r) => r.result?.appliedRevision, align: 'right' },
    { header: 'DECISIONS', value: (r) => (r.result?.cache === null ? 'disabled' : r.result?.cache?.decisionEntries), align: 'right' },
    { header: 'IDENTITIES', value: (r) => r.result?.cache?.identityEntries, align: 'right' },
    { header: 'HIT RATIO', value: (r) => hitRatio(r.result?.cache), align: 'right' },
  ];
  ctx.print(renderTable(columns, rows), { replicas: rows });
  checkRows(rows, 'stats', flags.service, flags.expect === undefined ? undefined : Number(flags.expect));
  return rows;
}
