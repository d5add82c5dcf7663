import { TimeoutError } from '@nats-io/nats-core';
import fc from 'fast-check';
import { ApiTimeout, isTimeout } from './api-timeout';

describe('ApiTimeout', () => {
  it('doubles after each timeout up to the ceiling, and is back at the base after any other outcome', () => {
    const timeout = new ApiTimeout(1500, 12_000);
    expect(timeout.ms).toBe(1500);
    timeout.settled(new TimeoutError());
    expect(timeout.ms).toBe(3000);
    timeout.settled(new Error('wrapped', { cause: new TimeoutError() }));
    expect(timeout.ms).toBe(6000);
    timeout.settled(new TimeoutError());
    timeout.settled(new TimeoutError());
    expect(timeout.ms).toBe(12_000);
    timeout.settled(new Error('stream not found'));
    expect(timeout.ms).toBe(1500);
    timeout.settled(new TimeoutError());
    timeout.settled();
    expect(timeout.ms).toBe(1500);
  });

  it('stays within [base, max] and equals base * 2^(timeouts since the last answer), capped, for any outcome sequence', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 20 }), fc.array(fc.boolean(), { maxLength: 60 }), (base, factor, timeouts) => {
        const max = base * (factor + 1);
        const timeout = new ApiTimeout(base, max);
        let streak = 0;
        for (const timedOut of timeouts) {
          timeout.settled(timedOut ? new TimeoutError() : undefined);
          streak = timedOut ? streak + 1 : 0;
          expect(timeout.ms).toBe(Math.min(max, base * 2 ** streak));
        }
      }),
    );
  });

  it('refuses a base that is not positive or above the ceiling', () => {
    expect(() => new ApiTimeout(0, 10)).toThrow(RangeError);
    expect(() => new ApiTimeout(20, 10)).toThrow(RangeError);
  });

  it('recognises a timeout through the cause chain only', () => {
    expect(isTimeout(new TimeoutError())).toBe(true);
    expect(isTimeout(new Error('request failed', { cause: new TimeoutError() }))).toBe(true);
    expect(isTimeout(new Error('timeout'))).toBe(false);
    expect(isTimeout('timeout')).toBe(false);
  });
});
