import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { routeTemplate, ServiceMetrics, serviceVersion, UNMATCHED_ROUTE } from './service-metrics';

/** A response that emits `finish` when ended. */
function fakeResponse(statusCode: number): EventEmitter & { statusCode: number } {
  return Object.assign(new EventEmitter(), { statusCode });
}

describe('ServiceMetrics', () => {
  it('registers process metrics, build info and the HTTP duration histogram, without instance or job labels', async () => {
    const registry = new Registry();
    new ServiceMetrics(registry, { app: 'turing', instanceId: 'turing-0a1b2c3d', version: '1.2.3' });
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('iam_build_info{app="turing",version="1.2.3",instance_id="turing-0a1b2c3d"} 1');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).not.toMatch(/[{,](instance|job)="/);
  });

  it('times a request under its route template, method and status code', async () => {
    const registry = new Registry();
    const metrics = new ServiceMetrics(registry, { app: 'merlin', instanceId: 'merlin-1', version: '0.0.1' });
    const middleware = metrics.httpMiddleware();
    const req = { method: 'GET', baseUrl: '', route: undefined as { path?: unknown } | undefined };
    const res = fakeResponse(200);
    middleware(req, res, () => undefined);
    req.route = { path: '/models/:id' }; // set by the router once matched
    res.emit('finish');
    res.emit('close'); // counted once
    const unmatched = fakeResponse(404);
    middleware({ method: 'GET' }, unmatched, () => undefined);
    unmatched.emit('finish');
    const text = await registry.metrics();
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/models/:id",status_code="200"} 1');
    expect(text).toContain(`http_request_duration_seconds_count{method="GET",route="${UNMATCHED_ROUTE}",status_code="404"} 1`);
  });

  it('labels the route with the template, never the raw path', () => {
    expect(routeTemplate({ baseUrl: '/api', route: { path: '/routers/:id' } })).toBe('/api/routers/:id');
    expect(routeTemplate({})).toBe(UNMATCHED_ROUTE);
  });

  it('reads the version from the nearest package.json', () => {
    expect(serviceVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
