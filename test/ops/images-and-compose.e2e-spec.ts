import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/*
 * The image and the compose file, checked statically (no container engine
 * here): current LTS base, a HEALTHCHECK, nothing from tests or benchmarks
 * in the image, a healthcheck and healthy-gated dependencies everywhere,
 * exclusive NATS profiles, current image pins.
 */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
/** Services `docker compose --profile <profiles...> up` starts. */
const started = (...profiles: string[]) =>
  Object.entries(services)
    .filter(([, service]) => !service.profiles || service.profiles.some((profile) => profiles.includes(profile)))
    .map(([name]) => name);

describe('docker/Dockerfile', () => {
  const dockerfile = read('docker/Dockerfile');
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1]);

  it('builds on a current LTS Node (24), in every stage', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toMatch(/^node:24[.-]/);
  });

  it('has a HEALTHCHECK on a health probe', () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\/health\/(ready|live)/m);
    expect(read('docker/healthcheck.js')).toContain('/health/ready');
  });

  it('copies no tests, benchmarks or test support into the image', () => {
    const copies = dockerfile.split('\n').filter((line) => /^COPY\b/.test(line));
    for (const line of copies) expect(line).not.toMatch(/\b(bench|test)\b/);
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['bench', 'test', '**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.int-spec.ts', 'node_modules', 'dist']));
  });

  it('runs as the unprivileged node user from a runtime stage built from the build stage', () => {
    expect(dockerfile).toMatch(/^FROM \S+ AS build$/m);
    expect(dockerfile).toMatch(/^COPY --from=build /m);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});

describe('docker-compose.yml', () => {
  it('gives every service a healthcheck', () => {
    const missing = Object.entries(services).filter(([, service]) => !service.healthcheck?.test?.length).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('waits for dependencies to be healthy (service_healthy), never merely started', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.depends_on) continue;
      expect({ name, list: Array.isArray(service.depends_on) }).toEqual({ name, list: false });
      for (const [dependency, spec] of Object.entries(service.depends_on)) {
        expect({ name, dependency, condition: spec.condition }).toEqual({ name, dependency, condition: 'service_healthy' });
        expect(Object.keys(services)).toContain(dependency);
      }
    }
    for (const app of ['authority', 'turing', 'turing-2', 'merlin']) expect(services[app].depends_on).toBeDefined();
  });

  it('app services probe readiness', () => {
    for (const app of ['authority', 'turing', 'turing-2', 'merlin']) expect(services[app].healthcheck?.test?.join(' ')).toContain('/health/ready');
  });

  it('the cluster profile starts the 3 cluster nodes and not the single node; the single profile the reverse', () => {
    const cluster = started('cluster');
    expect(cluster).toEqual(expect.arrayContaining(['nats-1', 'nats-2', 'nats-3', 'authority', 'turing', 'merlin']));
    expect(cluster).not.toContain('nats');
    const single = started('single');
    expect(single).toEqual(expect.arrayContaining(['nats', 'authority', 'turing', 'merlin']));
    expect(single.filter((name) => /^nats-\d$/.test(name))).toEqual([]);
  });

  it('apps wait for whichever NATS profile is enabled (optional dependencies on both)', () => {
    for (const app of ['authority', 'turing', 'turing-2', 'merlin']) {
      const deps = services[app].depends_on as Record<string, { condition?: string; required?: boolean }>;
      for (const node of ['nats', 'nats-1', 'nats-2', 'nats-3']) expect({ app, node, ...deps[node] }).toEqual({ app, node, condition: 'service_healthy', required: false });
    }
  });

  it('pins a current nats-server (2.10.x or 2.11.x, patch included) on every NATS node', () => {
    for (const name of ['nats', 'nats-1', 'nats-2', 'nats-3']) expect(services[name].image).toMatch(/^nats:2\.1[01]\.\d+(-alpine)?$/);
  });

  it('puts Prometheus and Grafana under the observability profile, with the kit mounted', () => {
    expect(services.prometheus.profiles).toEqual(['observability']);
    expect(services.grafana.profiles).toEqual(['observability']);
    expect(started('single')).not.toContain('prometheus');
    const mounts = JSON.stringify([services.prometheus, services.grafana]);
    expect(mounts).toContain('./docker/observability/prometheus.yml');
    expect(mounts).toContain('./docker/observability/rules.yml');
    expect(mounts).toContain('./docker/observability/grafana/dashboards');
  });
});
