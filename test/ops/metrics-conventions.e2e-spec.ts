import { OBSERVABILITY_DIR, promtool } from './promtool';
import { parsePrometheusText, PromExposition } from './prometheus-text';
import { TestSystem } from '../e2e/support/system';
import { join } from 'node:path';
import { START_UP_HOOK_TIMEOUT_MS } from '../support/wait';

jest.setTimeout(120_000);

/*
 * Every app's /metrics, scraped from the real apps (authority, turing,
 * merlin) against a real nats-server, linted by `promtool check metrics`
 * and held to the project's conventions.
 */
describe('metrics by convention on every app', () => {
  let system: TestSystem;
  const scraped: Record<string, { text: string; exposition: PromExposition }> = {};

  beforeAll(async () => {
    system = await TestSystem.start();
    const apps = { 'iam-authority': system.authority, turing: system.turing[0], merlin: system.merlin[0] };
    for (const [app, running] of Object.entries(apps)) {
      // A request the HTTP histogram must show, on a route template.
      expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
      const response = await fetch(`${running.url}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      scraped[app] = { text, exposition: parsePrometheusText(text) };
    }
  }, START_UP_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await system?.dispose();
  });

  const apps = ['iam-authority', 'turing', 'merlin'];

  // prom-client's own default gauges predate the lint rule; nothing of ours may join this list.
  const PROM_CLIENT_DEFAULTS = /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

  it.each(apps)('%s: promtool check metrics parses it and finds no problem in our metrics', (app) => {
    const result = promtool(['check', 'metrics'], { cwd: join(__dirname, '..', '..', OBSERVABILITY_DIR), input: scraped[app].text });
    const problems = `${result.stdout}${result.stderr}`.split('\n').map((line) => line.trim()).filter(Boolean);
    expect(problems.filter((line) => !PROM_CLIENT_DEFAULTS.test(line))).toEqual([]);
    // 0: clean; 3: lint findings only (all of them prom-client's, checked above); anything else: unreadable text.
    expect([0, 3]).toContain(result.status);
  });

  it.each(apps)('%s: no instance or job label of our own', (app) => {
    const offending = scraped[app].exposition.samples.filter((sample) => 'instance' in sample.labels || 'job' in sample.labels).map((sample) => sample.name);
    expect(offending).toEqual([]);
  });

  it.each(apps)('%s: every duration histogram is in seconds', (app) => {
    const { types } = scraped[app].exposition;
    const histograms = [...types].filter(([, type]) => type === 'histogram' || type === 'summary').map(([name]) => name);
    expect(histograms.length).toBeGreaterThan(0);
    expect(histograms.filter((name) => !name.endsWith('_seconds') && !name.endsWith('_bytes'))).toEqual([]);
    expect([...types.keys()].filter((name) => /_(ms|milliseconds|us|microseconds)(_|$)/.test(name))).toEqual([]);
  });

  it.each(apps)('%s: iam_build_info = 1 with app, version and instance id', (app) => {
    const info = scraped[app].exposition.samples.filter((sample) => sample.name === 'iam_build_info');
    expect(info).toHaveLength(1);
    expect(info[0].value).toBe(1);
    expect(info[0].labels).toMatchObject({ app, version: expect.stringMatching(/^\d+\.\d+\.\d+/), instance_id: expect.stringContaining(app) });
  });

  it.each(apps)('%s: default process metrics are exported', (app) => {
    const names = new Set(scraped[app].exposition.samples.map((sample) => sample.name));
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) expect(names.has(name)).toBe(true);
  });

  it.each(apps)('%s: http_request_duration_seconds{method,route,status_code} times requests by route template', (app) => {
    const { types, samples } = scraped[app].exposition;
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    const live = samples.find((sample) => sample.name === 'http_request_duration_seconds_count' && sample.labels.route === '/health/live');
    expect(live?.labels).toMatchObject({ method: 'GET', status_code: '200' });
    expect(live?.value).toBeGreaterThanOrEqual(1);
  });

  it('the consumers export the metrics the alert rules and the dashboard read', () => {
    const names = new Set(scraped.turing.exposition.samples.map((sample) => sample.name));
    for (const name of ['authz_cache_degraded', 'authz_cache_lag', 'authz_cache_propagation_delay_seconds_bucket']) expect(names.has(name)).toBe(true);
    const authority = new Set(scraped['iam-authority'].exposition.samples.map((sample) => sample.name));
    for (const name of ['iam_authority_outbox_backlog', 'iam_authority_relay_errors_total']) expect(authority.has(name)).toBe(true);
  });
});
