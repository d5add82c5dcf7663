import { AuthorityReachability } from './authority-reachability';

describe('AuthorityReachability', () => {
  it('is reachable until a call finds the authority unavailable, and again at the next answer', () => {
    const reachability = new AuthorityReachability();
    expect(reachability.reachable).toBe(true);
    reachability.recordFailure('AUTHORITY_UNAVAILABLE', 1000);
    expect(reachability.reachable).toBe(false);
    expect(reachability.unreachableSince).toBe(1000);
    reachability.recordFailure(undefined); // an abort proves nothing
    expect(reachability.reachable).toBe(false);
    reachability.recordFailure('AUTHORITY_REJECTED'); // a rejection is an answer
    expect(reachability.reachable).toBe(true);
    reachability.recordFailure('AUTHORITY_UNAVAILABLE');
    reachability.recordAnswer();
    expect(reachability.reachable).toBe(true);
  });
});
