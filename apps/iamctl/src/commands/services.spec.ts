import { ServiceResponseType, type ServiceInfo, type ServiceStats } from '@nats-io/services';
import { joinServices, renderServices } from './services';

const info = (id: string, name = 'iam-authority'): ServiceInfo => ({
  type: ServiceResponseType.INFO,
  name,
  id,
  version: '1.0.0',
  description: 'd',
  endpoints: [{ name: 'check', subject: 'iam.v1.rpc.check', queue_group: 'iam-authority' }],
});

const stats = (id: string, endpoint: Partial<ServiceStats['endpoints'] extends Array<infer E> | undefined ? E : never>): ServiceStats => ({
  type: ServiceResponseType.STATS,
  name: 'iam-authority',
  id,
  version: '1.0.0',
  started: '2026-01-01T00:00:00.000Z',
  endpoints: [{ name: 'check', subject: 'iam.v1.rpc.check', num_requests: 0, num_errors: 0, processing_time: 0, average_processing_time: 0, ...endpoint }],
});

describe('joinServices', () => {
  it('prefers the counters an endpoint reports in data (whole async handling) over nats.js own', () => {
    const [service] = joinServices([info('a')], [stats('a', { num_requests: 4, num_errors: 0, processing_time: 10, data: { num_requests: 4, num_errors: 2, processing_time: 8e6, average_processing_time: 2e6 } })]);
    expect(service.endpoints[0]).toMatchObject({ requests: 4, errors: 2, processingMs: 8, averageMs: 2, queueGroup: 'iam-authority' });
    expect(service.started).toBe('2026-01-01T00:00:00.000Z');
  });

  it("falls back to the framework's counters, and to zeros for an instance that did not answer STATS", () => {
    const services = joinServices([info('b'), info('a')], [stats('a', { num_requests: 2, num_errors: 1, processing_time: 3e6, average_processing_time: 1.5e6 })]);
    expect(services.map((s) => s.id)).toEqual(['a', 'b']);
    expect(services[0].endpoints[0]).toMatchObject({ requests: 2, errors: 1, processingMs: 3, averageMs: 1.5 });
    expect(services[1]).toMatchObject({ started: null, endpoints: [expect.objectContaining({ requests: 0, errors: 0 })] });
  });

  it('renders one line per endpoint of each instance', () => {
    const text = renderServices(joinServices([info('a'), info('b')], []));
    expect(text.trim().split('\n')).toHaveLength(4);
    expect(text).toContain('iam.v1.rpc.check');
  });
});
