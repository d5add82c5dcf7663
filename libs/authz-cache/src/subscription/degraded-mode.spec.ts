import { DegradedMode, SubscriptionSignals } from './degraded-mode';

const healthy: SubscriptionSignals = {
  cachingOn: true,
  running: true,
  connected: true,
  streamMissing: false,
  consumerLive: true,
  heartbeatLost: false,
  gapSuspected: false,
  appliedSequence: 10,
  streamLastSequence: 10,
};

describe('DegradedMode', () => {
  it('is never degraded before caching was enabled', () => {
    const mode = new DegradedMode(1000, 'bounded');
    mode.update({ ...healthy, cachingOn: false, connected: false, consumerLive: false });
    expect(mode.active).toBe(false);
  });

  it.each([
    [{ connected: false }, 'NATS disconnected'],
    [{ streamMissing: true }, 'not found'],
    [{ consumerLive: false }, 'subscription down'],
    [{ heartbeatLost: true }, 'heartbeats'],
    [{ gapSuspected: true }, 'gap suspected'],
    [{ running: false }, 'stopped'],
  ])('is degraded when %j, and clears when healthy again', (signal, reason) => {
    const mode = new DegradedMode(1000, 'bounded');
    mode.update({ ...healthy, ...signal });
    expect(mode.reason).toContain(reason);
    mode.update(healthy);
    expect(mode.active).toBe(false);
  });

  it('calls lagging only a subscriber that has not reached a known sequence for maxStalenessMs', () => {
    const mode = new DegradedMode(1000, 'bounded');
    mode.update({ ...healthy, streamLastSequence: 20 }, 0);
    mode.update({ ...healthy, appliedSequence: 15, streamLastSequence: 20 }, 900);
    expect(mode.active).toBe(false);
    mode.update({ ...healthy, appliedSequence: 15, streamLastSequence: 20 }, 1001);
    expect(mode.reason).toContain('lagging 5 events');
    mode.update({ ...healthy, appliedSequence: 20, streamLastSequence: 20 }, 1100);
    expect(mode.active).toBe(false);
  });

  it('does not call a subscriber that keeps up with a continuous flow lagging', () => {
    const mode = new DegradedMode(1000, 'bounded');
    // Always two behind the newest event, but always past the target seen before.
    for (let t = 0, applied = 10; t < 10_000; t += 400, applied += 10) {
      mode.update({ ...healthy, appliedSequence: applied, streamLastSequence: applied + 2 }, t);
      expect(mode.active).toBe(false);
    }
  });
});
