import { performance } from 'node:perf_hooks';
import { REVISION_HEADER } from '@iam/contracts';
import { statusOf } from '../../support/http';
import { AUTHORITY_TIMEOUT_MS } from './fault-system';

/** A guarded endpoint of one service replica. */
export interface ProbeTarget {
  name: string;
  url: string;
}

/** Options of {@link StaleAllowProbe}. */
export interface StaleAllowProbeOptions {
  /** Guarded path, e.g. `/v1/projects/42/routers`. */
  path: string;
  /** The principal's bearer token. */
  token: string;
  /** The consumers' AUTHZ_MAX_STALENESS_MS. */
  maxStalenessMs: number;
  /**
   * Allowance for the answer's transit (service -> probe) on a busy machine:
   * an allow decided inside the bound may be received up to this much later.
   * Default 750 ms. Only applied to the receive time; an allow *sent* after
   * the bound is beyond it, margin or not.
   */
  transitMarginMs?: number;
  /**
   * A request answered later than this (counted from its send, or from its
   * target's resume when the target was frozen) is a hang. Default
   * 2 x the authority timeout (identity + decision call) + 1 s.
   */
  hangLimitMs?: number;
  /**
   * Pause between two requests of one loop. Default 20 ms: a probe runs two
   * loops per target, and most suites run two probes over two targets; at
   * 5 ms those eight loops sent ~1,200 requests a second, most of a fault
   * suite's CPU on two cores. A stale allow lasts as long as the entry is
   * served, which the bounds measure in hundreds of ms; at 20 ms each loop
   * still asks ~40 times a second. The moments that matter most do not
   * depend on it: a loop blocked on a frozen target keeps its request
   * queued until the thaw, and the idle probe is released right after it.
   */
  intervalMs?: number;
}

/** See {@link StaleAllowProbeOptions.intervalMs}. */
const DEFAULT_INTERVAL_MS = 20;

/** One probe request. */
interface Sample {
  target: string;
  withHeader: boolean;
  sentAt: number;
  receivedAt: number;
  /** HTTP status, 0 for no answer (connection error or abort). */
  status: number;
  /** Index in the phase timeline at send time. */
  phase: number;
}

type Phase = { kind: 'granted'; at: number; revision: number } | { kind: 'changing'; at: number } | { kind: 'revoked'; at: number; revision: number };

/** A 200 for a revoked grant. */
export interface StaleAllow {
  target: string;
  withHeader: boolean;
  /** ms from the revoke's response to the request's send (a lower bound of the decision's lag). */
  sentLagMs: number;
  /** ms from the revoke's response to the answer's receipt (an upper bound). */
  receivedLagMs: number;
  revokeRevision: number;
}

/** What a probe run observed. */
export interface ProbeReport {
  requests: number;
  /** Requests sent after a revoke's response and answered before the next grant began. */
  afterRevoke: { total: number; denied: number; staleAllows: number; unavailable: number; other: number };
  staleAllows: StaleAllow[];
  /** Stale allows later than the bound (sent after it, or received after it + the transit margin). */
  beyondBound: StaleAllow[];
  /** Stale allows of requests carrying x-iam-revision (the revoke's): none is acceptable. */
  withHeader: StaleAllow[];
  /** Requests answered past the hang limit (or aborted, status 0, past it). */
  hangs: Array<{ target: string; ms: number; status: number }>;
  /**
   * Requests that got no HTTP answer before the hang limit: a keep-alive
   * socket closed by a thawed server (its idle timer fired on resume) or a
   * stopped process. Reported, not a violation (no answer is not an allow).
   */
  connectionErrors: number;
  /** Longest request (from send or resume). */
  maxRequestMs: number;
  /** Largest receivedLagMs of any stale allow (0 when none). */
  maxStaleLagMs: number;
  revokes: number;
  bounds: { maxStalenessMs: number; transitMarginMs: number; hangLimitMs: number };
}

/**
 * The stale-allow counter. For one principal with a grant on a guarded
 * route, two loops per target (one with `x-iam-revision`, one without) call
 * the route back to back. The test marks the grant/revoke timeline
 * ({@link granted}, {@link changing}, {@link revoked}); every 200 for a
 * request sent after a revoke's response (and answered before the next
 * change began) is a stale allow, timed from that response.
 */
export class StaleAllowProbe {
  private readonly samples: Sample[] = [];
  private readonly phases: Phase[] = [];
  private readonly thaws = new Map<string, number[]>();
  private readonly frozen = new Set<string>();
  private running = false;
  private held = false;
  private loops: Promise<void>[] = [];
  private readonly transitMarginMs: number;
  private readonly hangLimitMs: number;

  constructor(
    private readonly targets: readonly ProbeTarget[],
    private readonly options: StaleAllowProbeOptions,
  ) {
    this.transitMarginMs = options.transitMarginMs ?? 750;
    this.hangLimitMs = options.hangLimitMs ?? 2 * AUTHORITY_TIMEOUT_MS + 1000;
  }

  /** The grant at `revision` is committed (its response arrived). */
  granted(revision: number): void {
    this.phases.push({ kind: 'granted', at: performance.now(), revision });
  }

  /** A grant is about to be sent: answers overlapping this moment are not classified. */
  changing(): void {
    this.phases.push({ kind: 'changing', at: performance.now() });
  }

  /** The revoke at `revision` got its response just now (call right after it). */
  revoked(revision: number, at = performance.now()): void {
    this.phases.push({ kind: 'revoked', at, revision });
  }

  /** The target is being frozen (SIGSTOP): its pending requests are not hangs. */
  frozenTarget(name: string): void {
    this.frozen.add(name);
  }

  /** The target was thawed (SIGCONT) just now: its requests' durations count from here. */
  thawedTarget(name: string): void {
    this.frozen.delete(name);
    this.thaws.set(name, [...(this.thaws.get(name) ?? []), performance.now()]);
  }

  /** No new requests until {@link release} (traffic that stops during a fault and comes back after it). */
  hold(): void {
    this.held = true;
  }

  /** Sends again after {@link hold}. */
  release(): void {
    this.held = false;
  }

  /** Starts the loops (the timeline must have a first {@link granted}). */
  start(): void {
    if (this.phases.length === 0) throw new Error('StaleAllowProbe.start(): call granted(revision) first');
    this.running = true;
    for (const target of this.targets) {
      for (const withHeader of [false, true]) this.loops.push(this.loop(target, withHeader));
    }
  }

  /** Stops the loops (waits for requests in flight) and returns the report. */
  async stop(): Promise<ProbeReport> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
    return this.report();
  }

  /** The report of what was observed so far. */
  report(): ProbeReport {
    const maxStalenessMs = this.options.maxStalenessMs;
    const afterRevoke = { total: 0, denied: 0, staleAllows: 0, unavailable: 0, other: 0 };
    const staleAllows: StaleAllow[] = [];
    const hangs: ProbeReport['hangs'] = [];
    let maxRequestMs = 0;
    let connectionErrors = 0;
    for (const sample of this.samples) {
      const from = Math.max(sample.sentAt, this.resumedAfter(sample));
      const ms = sample.receivedAt - from;
      maxRequestMs = Math.max(maxRequestMs, ms);
      if (sample.status === 0) connectionErrors += 1;
      if (ms > this.hangLimitMs) hangs.push({ target: sample.target, ms: Math.round(ms), status: sample.status });
      const phase = this.phases[sample.phase];
      if (phase.kind !== 'revoked' || this.changedBefore(sample)) continue;
      afterRevoke.total += 1;
      if (sample.status === 403) afterRevoke.denied += 1;
      else if (sample.status === 503) afterRevoke.unavailable += 1;
      else if (sample.status === 200) {
        afterRevoke.staleAllows += 1;
        staleAllows.push({
          target: sample.target,
          withHeader: sample.withHeader,
          sentLagMs: Math.round(sample.sentAt - phase.at),
          receivedLagMs: Math.round(sample.receivedAt - phase.at),
          revokeRevision: phase.revision,
        });
      } else afterRevoke.other += 1;
    }
    return {
      requests: this.samples.length,
      afterRevoke,
      staleAllows,
      beyondBound: staleAllows.filter((s) => s.sentLagMs > maxStalenessMs || s.receivedLagMs > maxStalenessMs + this.transitMarginMs),
      withHeader: staleAllows.filter((s) => s.withHeader),
      hangs,
      connectionErrors,
      maxRequestMs: Math.round(maxRequestMs),
      maxStaleLagMs: staleAllows.reduce((max, s) => Math.max(max, s.receivedLagMs), 0),
      revokes: this.phases.filter((p) => p.kind === 'revoked').length,
      bounds: { maxStalenessMs, transitMarginMs: this.transitMarginMs, hangLimitMs: this.hangLimitMs },
    };
  }

  private async loop(target: ProbeTarget, withHeader: boolean): Promise<void> {
    while (this.running) {
      if (this.held) {
        await sleep(10);
        continue;
      }
      const phase = this.phases.length - 1;
      const current = this.phases[phase];
      const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}` };
      if (withHeader && current.kind !== 'changing') headers[REVISION_HEADER] = String(current.revision);
      const sentAt = performance.now();
      let status = 0;
      try {
        // Aborted well past the hang limit: the abort itself is recorded as a hang (status 0).
        status = await statusOf(`${target.url}${this.options.path}`, headers, this.hangLimitMs + 30_000);
      } catch {
        status = 0;
      }
      const receivedAt = performance.now();
      // A request left pending in a frozen process is answered on thaw; its duration counts from there.
      this.samples.push({ target: target.name, withHeader, sentAt, receivedAt, status, phase });
      if (this.frozen.has(target.name)) await sleep(20);
      else await sleep(this.options.intervalMs ?? DEFAULT_INTERVAL_MS);
    }
  }

  /** Whether a grant began between the sample's send and its answer (its 200 may then be legitimate). */
  private changedBefore(sample: Sample): boolean {
    return this.phases.some((p, i) => i > sample.phase && p.kind === 'changing' && p.at <= sample.receivedAt);
  }

  /** The last thaw of the sample's target before its answer, or -Infinity. */
  private resumedAfter(sample: Sample): number {
    return (this.thaws.get(sample.target) ?? []).filter((at) => at <= sample.receivedAt).reduce((max, at) => Math.max(max, at), -Infinity);
  }
}

/** One line per figure, for the test log and the closing note. */
export function formatReport(title: string, report: ProbeReport): string {
  const a = report.afterRevoke;
  return [
    `[fault-suite] ${title}`,
    `  requests ${report.requests}, revokes ${report.revokes}; after a revoke: ${a.total} (denied ${a.denied}, 503 ${a.unavailable}, other ${a.other}, stale allows ${a.staleAllows})`,
    `  stale allows: ${report.staleAllows.length} (with x-iam-revision ${report.withHeader.length}, beyond ${report.bounds.maxStalenessMs} ms + ${report.bounds.transitMarginMs} ms transit ${report.beyondBound.length}); max stale lag ${report.maxStaleLagMs} ms`,
    `  hangs (> ${report.bounds.hangLimitMs} ms): ${report.hangs.length}; longest request ${report.maxRequestMs} ms; connection errors ${report.connectionErrors}`,
  ].join('\n');
}

/**
 * The acceptance rule: no stale allow beyond the bound, none with the
 * consistency token, no hang. Returns the violations as readable lines
 * (empty when none), so `expect(violations(report)).toEqual([])` shows them.
 */
export function violations(report: ProbeReport): string[] {
  const line = (s: StaleAllow) => `${s.target} ${s.withHeader ? 'with' : 'without'} x-iam-revision: 200 sent ${s.sentLagMs} ms / received ${s.receivedLagMs} ms after revoke r${s.revokeRevision}`;
  const all = [
    ...report.beyondBound.map((s) => `stale allow beyond the bound: ${line(s)}`),
    ...report.withHeader.filter((s) => !report.beyondBound.includes(s)).map((s) => `stale allow with the consistency token: ${line(s)}`),
    ...report.hangs.map((h) => `hang: ${h.target} answered ${h.status || 'never'} after ${h.ms} ms`),
  ];
  // The first few and the count are enough to diagnose; thousands of lines are not.
  return all.length <= MAX_LISTED ? all : [...all.slice(0, MAX_LISTED), `... and ${all.length - MAX_LISTED} more`];
}

const MAX_LISTED = 12;

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
