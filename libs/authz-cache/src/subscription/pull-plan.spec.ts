import fc from 'fast-check';
import { PullPlan } from './pull-plan';

const WINDOW = { max_messages: 8, threshold_messages: 4 };
const EXPIRES = 1000;

describe('PullPlan', () => {
  it('asks for a full window first, then nothing while credit lasts', () => {
    const plan = new PullPlan(WINDOW, EXPIRES);
    expect(plan.next(0)).toBe(8);
    plan.sent(0, 8);
    expect(plan.next(0)).toBe(0);
    expect(plan.credit(0)).toBe(8);
  });

  it('tops the window up once the credit is down to the threshold', () => {
    const plan = new PullPlan(WINDOW, EXPIRES);
    plan.sent(0, plan.next(0));
    for (let i = 0; i < 3; i++) plan.received(10);
    expect(plan.next(10)).toBe(0);
    plan.received(10);
    expect(plan.credit(10)).toBe(4);
    expect(plan.next(10)).toBe(4);
    plan.sent(10, 4);
    expect(plan.credit(10)).toBe(8);
  });

  it('sends a fresh pull while the older one still has half its life, never trusting it past its expiry', () => {
    const plan = new PullPlan(WINDOW, EXPIRES);
    plan.sent(0, plan.next(0));
    expect(plan.next(499)).toBe(0);
    // Half its lifetime left or less: a fresh full window, the old credit not counted on.
    expect(plan.next(500)).toBe(8);
    expect(plan.next(600)).toBe(8);
    plan.sent(600, 8);
    expect(plan.credit(600)).toBe(16);
    // The first one is gone by our clock at 1000, whatever the server says.
    expect(plan.credit(1000)).toBe(8);
    expect(plan.next(1000)).toBe(0);
  });

  it('counts a message against the newest pull, so an expiring older one takes its full credit with it', () => {
    const plan = new PullPlan(WINDOW, EXPIRES);
    plan.sent(0, 8);
    plan.sent(600, 8);
    plan.received(700);
    plan.received(700);
    // The server may have used the old pull for both: at 1000 we keep believing in 6, not 8.
    expect(plan.credit(1000)).toBe(6);
  });

  it('pulls a full window again after every pull was lost', () => {
    const plan = new PullPlan(WINDOW, EXPIRES);
    plan.sent(0, 8);
    plan.lost();
    expect(plan.credit(1)).toBe(0);
    expect(plan.next(1)).toBe(8);
  });

  it('rejects a window whose threshold is not below its size, and a lifetime that is not positive', () => {
    expect(() => new PullPlan({ max_messages: 4, threshold_messages: 4 }, EXPIRES)).toThrow(/threshold_messages/);
    expect(() => new PullPlan(WINDOW, 0)).toThrow(/expiry/);
  });

  /**
   * A model of nats-server 2.9's pull queue: requests count their expiry
   * from when they arrive, messages go round-robin to waiting requests, and
   * a request found expired when a message arrives is dropped without a
   * word (`nextWaiting`). The client ticks every quarter lifetime, as
   * PullLoop does. Properties, however arrivals, trips and drops fall:
   * whenever a message waits on the server for want of a live request, a
   * pull is already on its way (only after the server dropped every request
   * may it wait for the client's next tick), so it never waits on credit the
   * server let expire; the client never believes in more credit than the
   * server holds; and everything is delivered in the end.
   */
  it('never leaves a message waiting on credit the server dropped (model of nats-server)', () => {
    const TICK = EXPIRES / 4;
    const run = fc.record({
      window: fc.integer({ min: 2, max: 16 }).chain((max) => fc.record({ max: fc.constant(max), threshold: fc.integer({ min: 0, max: max - 1 }) })),
      trip: fc.integer({ min: 0, max: 40 }),
      steps: fc.array(
        fc.record({ gap: fc.integer({ min: 0, max: 700 }), burst: fc.integer({ min: 0, max: 40 }), lose: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }),
        { minLength: 1, maxLength: 60 },
      ),
    });
    fc.assert(
      fc.property(run, ({ window, trip, steps }) => {
        const plan = new PullPlan({ max_messages: window.max, threshold_messages: window.threshold }, EXPIRES);
        type ServerPull = { arrivesAt: number; expiresAt: number; n: number };
        let inFlight: ServerPull[] = [];
        let queue: ServerPull[] = [];
        let backlog = 0; // messages no live request could take
        let lostSinceTick = false;
        let now = 0;
        let nextTick = 0;
        const pullIfDue = (): void => {
          const batch = plan.next(now);
          if (batch === 0) return;
          plan.sent(now, batch);
          inFlight.push({ arrivesAt: now + trip, expiresAt: now + trip + EXPIRES, n: batch });
        };
        const serverCredit = (): number => queue.filter((p) => p.expiresAt > now).reduce((sum, p) => sum + p.n, 0);
        const deliverOne = (): boolean => {
          while (queue.length > 0) {
            const head = queue[0];
            if (head.expiresAt <= now) {
              queue.shift(); // dropped silently
              continue;
            }
            head.n -= 1;
            queue.shift();
            if (head.n > 0) queue.push(head); // round-robin
            plan.received(now);
            pullIfDue();
            return true;
          }
          return false;
        };
        const serve = (): void => {
          const arrived = inFlight.filter((p) => p.arrivesAt <= now);
          inFlight = inFlight.filter((p) => p.arrivesAt > now);
          queue.push(...arrived);
          while (backlog > 0 && deliverOne()) backlog -= 1;
          if (backlog > 0) {
            // The server holds no live request with credit: one must be on its way already. Only after
            // the server dropped them all may the client's next tick be what sends it.
            expect(inFlight.length > 0 || (lostSinceTick && plan.next(now) > 0)).toBe(true);
          }
        };
        const advance = (to: number): void => {
          // Every tick and every pull arrival on the way is an event.
          for (;;) {
            const arrival = Math.min(...inFlight.map((p) => p.arrivesAt), Number.POSITIVE_INFINITY);
            const at = Math.min(nextTick, arrival);
            if (at > to) break;
            now = at;
            if (at === nextTick) {
              nextTick += TICK;
              lostSinceTick = false;
              pullIfDue();
            }
            serve();
            expect(plan.credit(now)).toBeLessThanOrEqual(serverCredit() + inFlight.reduce((sum, p) => sum + p.n, 0));
          }
          now = to;
          serve();
        };
        for (const step of steps) {
          advance(now + step.gap);
          if (step.lose) {
            // The server forgets every request (leadership change) and says so (409).
            queue = [];
            inFlight = [];
            plan.lost();
            lostSinceTick = true;
          }
          for (let i = 0; i < step.burst; i++) {
            backlog += 1;
            serve();
          }
        }
        // Long enough for a window of 2 to drain the largest backlog one trip per refill.
        advance(now + TICK + (backlog + 1) * (trip + 1));
        expect(backlog).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
