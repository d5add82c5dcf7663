import { LeaseState } from './lease-state';

describe('LeaseState', () => {
  it('starts by acquiring, and holds nothing before a grant', () => {
    const lease = new LeaseState(1000, 250);
    expect(lease.next(0)).toBe('acquire');
    expect(lease.held(0)).toBe(false);
    expect(lease.epoch).toBeNull();
  });

  it('holds until the request time plus the ttl less the margin, renewing every interval', () => {
    const lease = new LeaseState(1000, 250, 100);
    lease.granted(7, 1000);
    expect(lease.epoch).toBe(7);
    expect(lease.next(1100)).toBe('none');
    expect(lease.next(1250)).toBe('renew');
    expect(lease.held(1899)).toBe(true);
    expect(lease.held(1900)).toBe(false);
  });

  it('after a pause past the deadline, holds nothing until a renewal succeeds', () => {
    const lease = new LeaseState(1000, 250, 100);
    lease.granted(3, 0);
    // Frozen for 10 s: the clock kept running.
    expect(lease.held(10_000)).toBe(false);
    expect(lease.next(10_000)).toBe('renew');
    lease.lost();
    expect(lease.held(10_001)).toBe(false);
    expect(lease.next(10_001)).toBe('acquire');
  });

  it('a renewal granted late counts from when it was sent, not when it came back', () => {
    const lease = new LeaseState(1000, 250, 100);
    lease.granted(1, 0);
    // Sent at 200, answered at 850: the deadline is 200 + 900.
    lease.granted(1, 200);
    expect(lease.held(1099)).toBe(true);
    expect(lease.held(1100)).toBe(false);
  });

  it('the default margin is a tenth of the ttl', () => {
    const lease = new LeaseState(2000, 500);
    lease.granted(1, 0);
    expect(lease.held(1799)).toBe(true);
    expect(lease.held(1800)).toBe(false);
  });
});
