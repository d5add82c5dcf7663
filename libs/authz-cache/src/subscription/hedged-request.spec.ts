import { TimeoutError } from '@nats-io/nats-core';
import fc from 'fast-check';
import { hedged, HedgePlan, isTimeout, JS_API_HEDGE, type HedgePolicy } from './hedged-request';

const POLICY: HedgePolicy = { firstGapMs: 250, maxGapMs: 2000, timeoutMs: 6000 };

/** When each attempt goes out under POLICY, from the call's start. */
const SEND_TIMES = [0, 250, 750, 1750, 3750, 5750];

describe('HedgePlan', () => {
  it('sends attempts with doubling gaps up to the ceiling, none at or after the deadline', () => {
    const plan = new HedgePlan(POLICY, 1000);
    const times: number[] = [];
    for (let at = plan.nextAttemptAt(); at !== undefined; at = plan.nextAttemptAt()) {
      times.push(at - 1000);
      plan.sent(at);
    }
    expect(times).toEqual(SEND_TIMES);
    expect(plan.attempts).toBe(6);
    const capped = new HedgePlan({ firstGapMs: 100, maxGapMs: 300, timeoutMs: 1500 }, 0);
    const gaps: number[] = [];
    let last = 0;
    for (let at = capped.nextAttemptAt(); at !== undefined; at = capped.nextAttemptAt()) {
      gaps.push(at - last);
      last = at;
      capped.sent(at);
    }
    expect(gaps).toEqual([0, 100, 200, 300, 300, 300]);
  });

  it('counts the gap from when an attempt actually went out (a late timer does not bunch attempts up)', () => {
    const plan = new HedgePlan(POLICY, 0);
    plan.sent(0);
    plan.sent(900); // due at 250, sent late
    expect(plan.nextAttemptAt()).toBe(1400);
  });

  it('settles on the first answer; a later success is late, a later failure ignored', () => {
    const plan = new HedgePlan(POLICY, 0);
    plan.sent(0);
    plan.sent(250);
    expect(plan.failed(true)).toBe('ignore');
    expect(plan.settled).toBe(false);
    expect(plan.answered()).toBe('settle');
    expect(plan.settled).toBe(true);
    expect(plan.nextAttemptAt()).toBeUndefined();
    expect(plan.answered()).toBe('late');
    expect(plan.failed(false)).toBe('ignore');
    expect(plan.expired(10_000)).toBe(false);
  });

  it('settles on a refusal (the server answered no), not on a timeout', () => {
    const plan = new HedgePlan(POLICY, 0);
    plan.sent(0);
    expect(plan.failed(true)).toBe('ignore');
    expect(plan.failed(false)).toBe('settle');
    expect(plan.answered()).toBe('late');
  });

  it('times out at the deadline, once, and then counts any success as late', () => {
    const plan = new HedgePlan(POLICY, 0);
    plan.sent(0);
    expect(plan.expired(5999)).toBe(false);
    expect(plan.expired(6000)).toBe(true);
    expect(plan.expired(6001)).toBe(false);
    expect(plan.answered()).toBe('late');
  });

  it('rejects a policy that could not send or never ends', () => {
    expect(() => new HedgePlan({ firstGapMs: 0, maxGapMs: 10, timeoutMs: 10 }, 0)).toThrow(RangeError);
    expect(() => new HedgePlan({ firstGapMs: 20, maxGapMs: 10, timeoutMs: 10 }, 0)).toThrow(RangeError);
    expect(() => new HedgePlan({ firstGapMs: 1, maxGapMs: 10, timeoutMs: 0 }, 0)).toThrow(RangeError);
  });

  it('the production policy: about one request a second against a silent cluster, the first retry within 250 ms', () => {
    const plan = new HedgePlan(JS_API_HEDGE, 0);
    let attempts = 0;
    for (let at = plan.nextAttemptAt(); at !== undefined; at = plan.nextAttemptAt()) {
      attempts += 1;
      plan.sent(at);
    }
    expect(attempts).toBeLessThanOrEqual(JS_API_HEDGE.timeoutMs / 1000);
    expect(JS_API_HEDGE.firstGapMs).toBeLessThanOrEqual(250);
  });
});

describe('isTimeout', () => {
  it('finds a NATS timeout in the cause chain, and nothing else', () => {
    expect(isTimeout(new TimeoutError())).toBe(true);
    expect(isTimeout(new Error('request failed', { cause: new TimeoutError() }))).toBe(true);
    expect(isTimeout(new Error('timeout'))).toBe(false);
    expect(isTimeout('timeout')).toBe(false);
  });
});

/** What one attempt does: answer, refuse, or say nothing (its own request times out), after `afterMs`. */
type Behaviour = { kind: 'answer' | 'refuse'; afterMs: number } | { kind: 'silent' };

describe('hedged()', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Runs a hedged call whose k-th attempt behaves as `behaviours[k]`; returns what happened. */
  async function run(behaviours: Behaviour[]): Promise<{ outcome: string; sent: number; late: number[] }> {
    let sent = 0;
    const late: number[] = [];
    const attempt = (timeoutMs: number): Promise<number> => {
      const k = sent++;
      const behaviour = behaviours[k] ?? { kind: 'silent' };
      return new Promise<number>((resolve, reject) => {
        if (behaviour.kind === 'silent') setTimeout(() => reject(new TimeoutError()), timeoutMs);
        else setTimeout(() => (behaviour.kind === 'answer' ? resolve(k) : reject(new Error(`refused ${k}`))), behaviour.afterMs);
      });
    };
    let outcome = 'pending';
    hedged(attempt, POLICY, (value) => late.push(value)).then(
      (value) => (outcome = `answer ${value}`),
      (error: Error) => (outcome = isTimeout(error) ? 'timeout' : error.message),
    );
    await jest.advanceTimersByTimeAsync(POLICY.timeoutMs * 3);
    return { outcome, sent, late };
  }

  it('answers with the first attempt at once on a healthy cluster', async () => {
    expect(await run([{ kind: 'answer', afterMs: 3 }])).toEqual({ outcome: 'answer 0', sent: 1, late: [] });
  });

  it('does not wait out a lost request: the second attempt, 250 ms later, answers', async () => {
    expect(await run([{ kind: 'silent' }, { kind: 'answer', afterMs: 3 }])).toEqual({ outcome: 'answer 1', sent: 2, late: [] });
  });

  it('lets a slow cluster answer the first attempt, and hands the later successes to onLate', async () => {
    const slow = { kind: 'answer', afterMs: 1001 } as const;
    expect(await run([slow, slow, slow])).toEqual({ outcome: 'answer 0', sent: 3, late: [1, 2] });
  });

  it('times out after the deadline when nothing answers, with six attempts sent', async () => {
    expect(await run([])).toEqual({ outcome: 'timeout', sent: 6, late: [] });
  });

  it('rejects at once with a refusal', async () => {
    expect(await run([{ kind: 'silent' }, { kind: 'refuse', afterMs: 1 }])).toEqual({ outcome: 'refused 1', sent: 2, late: [] });
  });

  it('a synchronous throw from the attempt is a refusal, not a crash', async () => {
    const outcome = hedged(() => {
      throw new Error('no connection');
    }, POLICY);
    await expect(outcome).rejects.toThrow('no connection');
  });

  it('matches a model: the earliest answer or refusal before the deadline settles the call, every other success is late exactly once', async () => {
    // Odd delays: an outcome never coincides with a send (multiples of 250 ms) or the deadline.
    const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
      fc.record({ kind: fc.constantFrom('answer' as const, 'refuse' as const), afterMs: fc.integer({ min: 0, max: 4000 }).map((n) => 2 * n + 1) }),
      fc.constant({ kind: 'silent' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(behaviour, { minLength: 6, maxLength: 6 }), async (behaviours) => {
        // The model: attempt k goes out at SEND_TIMES[k] unless the call settled before.
        const events = behaviours
          .map((b, k) => ({ b, k, at: b.kind === 'silent' ? Number.POSITIVE_INFINITY : SEND_TIMES[k] + b.afterMs }))
          .filter((e) => e.at < POLICY.timeoutMs)
          .sort((x, y) => x.at - y.at || x.k - y.k);
        const first = events[0];
        const settledAt = first ? first.at : POLICY.timeoutMs;
        const sent = SEND_TIMES.filter((t) => t < settledAt).length;
        const expectedOutcome = !first ? 'timeout' : first.b.kind === 'answer' ? `answer ${first.k}` : `refused ${first.k}`;
        const expectedLate = behaviours
          .map((b, k) => ({ b, k }))
          .filter(({ b, k }) => k < sent && b.kind === 'answer' && !(first && first.k === k))
          .map(({ k }) => k);
        const result = await run(behaviours);
        expect(result.outcome).toBe(expectedOutcome);
        expect(result.sent).toBe(sent);
        expect([...result.late].sort((x, y) => x - y)).toEqual(expectedLate);
      }),
      { numRuns: 300 },
    );
  });
});
