import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { OBSERVABILITY_DIR, promtool } from './promtool';

const root = join(__dirname, '..', '..');
const dir = join(root, OBSERVABILITY_DIR);

interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; expr: string }> }>;
}
interface RuleTests {
  rule_files: string[];
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

describe('observability kit: Prometheus rules and config (real promtool)', () => {
  it('promtool check rules accepts rules.yml', () => {
    const result = promtool(['check', 'rules', 'rules.yml'], { cwd: dir });
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('promtool test rules passes the unit tests of every alert', () => {
    const result = promtool(['test', 'rules', 'rules.test.yml'], { cwd: dir });
    expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('promtool check config accepts the scrape config (authority, turing x2, merlin)', () => {
    const result = promtool(['check', 'config', 'prometheus.yml'], { cwd: dir });
    expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    const targets = Object.fromEntries(config.scrape_configs.map((job) => [job.job_name, job.static_configs.flatMap((c) => c.targets)]));
    expect(targets).toMatchObject({ 'iam-authority': ['authority:3000'], turing: ['turing:3001', 'turing-2:3001'], merlin: ['merlin:3002'] });
  });

  it('every alert has a unit test in which it fires', () => {
    const rules = parse(readFileSync(join(dir, 'rules.yml'), 'utf8')) as RuleFile;
    const tests = parse(readFileSync(join(dir, 'rules.test.yml'), 'utf8')) as RuleTests;
    const alerts = rules.groups.flatMap((group) => group.rules.map((rule) => rule.alert)).filter((name): name is string => Boolean(name));
    const firing = new Set(
      tests.tests.flatMap((test) => (test.alert_rule_test ?? []).filter((case_) => (case_.exp_alerts ?? []).length > 0).map((case_) => case_.alertname)),
    );
    expect(alerts.length).toBeGreaterThanOrEqual(6);
    expect(alerts.filter((alert) => !firing.has(alert))).toEqual([]);
    expect(tests.rule_files).toEqual(['rules.yml']);
  });

  it('the alerts cover degraded mode, lease age, lag, outbox backlog, relay errors and propagation p99 over 10 ms', () => {
    const rules = readFileSync(join(dir, 'rules.yml'), 'utf8');
    for (const metric of [
      'authz_cache_degraded',
      'authz_cache_freshness_age_seconds',
      'authz_cache_lag',
      'iam_authority_outbox_backlog',
      'iam_authority_relay_errors_total',
      'authz_cache_propagation_delay_seconds_bucket',
    ]) {
      expect(rules).toContain(metric);
    }
    expect(rules).toMatch(/histogram_quantile\(0\.99,[^\n]*authz_cache_propagation_delay_seconds_bucket[^\n]*> 0\.01/);
  });

  it('the Grafana dashboard is valid JSON, provisioned, and queries only the kit data source', () => {
    const dashboard = JSON.parse(readFileSync(join(dir, 'grafana/dashboards/iam-cache-invalidation.json'), 'utf8')) as {
      uid: string;
      panels: Array<{ type: string; datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
    };
    expect(dashboard.uid).toBe('iam-cache-invalidation');
    const queries = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(queries.length).toBeGreaterThan(8);
    for (const panel of queries) {
      expect(panel.datasource?.uid).toBe('prometheus');
      expect(panel.targets?.length).toBeGreaterThan(0);
    }
    const datasource = parse(readFileSync(join(dir, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; url: string }> };
    expect(datasource.datasources[0]).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });
  });
});
