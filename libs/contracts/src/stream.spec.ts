import { nanos } from '@nats-io/nats-core';
import { eventStreamConfig, MIN_DUPLICATE_WINDOW_MS } from './stream';

describe('eventStreamConfig', () => {
  it('defaults to one replica, seven days, two-minute dedup window', () => {
    const config = eventStreamConfig();
    expect(config).toMatchObject({ name: 'IAM_EVENTS', subjects: ['iam.v1.events.>'], num_replicas: 1, storage: 'file', retention: 'limits' });
    expect(config.max_age).toBe(nanos(7 * 24 * 3600 * 1000));
    expect(config.duplicate_window).toBe(nanos(MIN_DUPLICATE_WINDOW_MS));
  });

  it('never lets the duplicate window drop under two minutes', () => {
    expect(eventStreamConfig({ duplicateWindowMs: 1000 }).duplicate_window).toBe(nanos(MIN_DUPLICATE_WINDOW_MS));
  });

  it('rejects impossible replica counts and ages', () => {
    expect(() => eventStreamConfig({ replicas: 0 })).toThrow(/replicas/);
    expect(() => eventStreamConfig({ maxAgeMs: 0 })).toThrow(/maxAgeMs/);
  });
});
