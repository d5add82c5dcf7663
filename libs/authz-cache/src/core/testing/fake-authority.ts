import type { CheckResult, ResolvedIdentity } from '@iam/contracts';
import type { DecisionQuery } from '../types';

/** A promise with its resolve/reject exposed (tests control when loads answer). */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A manual clock in epoch ms (identity expiry compares against it). */
export class ManualClock {
  constructor(public value = Date.parse('2025-01-01T00:00:00Z')) {}
  readonly now = (): number => this.value;
  advance(ms: number): void {
    this.value += ms;
  }
}

/** A decision answer with the usual tags. */
export function answer(query: DecisionQuery, revision: number, allowed = true, extraTags: string[] = []): CheckResult {
  return { allowed, revision, tags: [`p:${query.principal}`, `r:${query.resource}`, ...extraTags] };
}

/** A resolved identity for a token id. */
export function identity(tokenId: string, principal: string, revision: number, expiresAt: string | null = null): ResolvedIdentity {
  return { principal, groups: [], tokenId, expiresAt, revision, tags: [`tok:${tokenId}`, `p:${principal}`] };
}

/**
 * Records every decision load and lets the test answer it when it wants
 * (or immediately, with `auto`).
 */
export class ControlledDecisions {
  readonly calls: Array<{ query: DecisionQuery; signal: AbortSignal; answer: Deferred<CheckResult> }> = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly auto?: (query: DecisionQuery) => CheckResult | Promise<CheckResult>) {}

  readonly load = async (query: DecisionQuery, signal: AbortSignal): Promise<CheckResult> => {
    const d = deferred<CheckResult>();
    this.calls.push({ query, signal, answer: d });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.auto) d.resolve(await this.auto(query));
      return await d.promise;
    } finally {
      this.inFlight--;
    }
  };

  last(): { query: DecisionQuery; answer: Deferred<CheckResult> } {
    const call = this.calls[this.calls.length - 1];
    if (!call) throw new Error('no load yet');
    return call;
  }
}

/** Lets pending promise callbacks run (several microtask turns). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}
