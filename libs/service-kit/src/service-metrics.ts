import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What identifies a running app in `iam_build_info`. */
export interface ServiceIdentity {
  /** App name: `iam-authority`, `turing`, `merlin`. */
  app: string;
  /** The instance id the app reports elsewhere too (control replies, /health); default `<app>-<8 hex>`. */
  instanceId?: string;
  /** Build version; default {@link serviceVersion}. */
  version?: string;
}

/** Minimal request/response shapes (Express and anything alike), so no framework types are needed. */
interface HttpRequestLike {
  method?: string;
  baseUrl?: string;
  route?: { path?: unknown };
}
interface HttpResponseLike {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Buckets of `http_request_duration_seconds`: 1 ms to 10 s, dense where a
 * cached permission check (well under 10 ms) and an authority round-trip lie.
 */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Label of requests no route matched (404s): a fixed value, so unknown paths cannot explode cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The metrics every app of the project exposes, on the app's own registry:
 * - Node's default process metrics (`process_*`, `nodejs_*`, `collectDefaultMetrics`);
 * - `iam_build_info{app,version,instance_id}` = 1 (join it on `instance` to label other series);
 * - `http_request_duration_seconds{method,route,status_code}`, fed by {@link httpMiddleware}.
 * No `instance` or `job` label: Prometheus attaches those from the scrape target.
 */
export class ServiceMetrics {
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(
    readonly registry: Registry,
    identity: ServiceIdentity,
  ) {
    collectDefaultMetrics({ register: registry });
    const info = new Gauge({
      name: 'iam_build_info',
      help: 'Build and instance of this app; always 1',
      labelNames: ['app', 'version', 'instance_id'],
      registers: [registry],
    });
    info.set({ app: identity.app, version: identity.version ?? serviceVersion(), instance_id: identity.instanceId ?? `${identity.app}-${randomBytes(4).toString('hex')}` }, 1);
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code, seconds',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [registry],
    });
  }

  /**
   * Express-style middleware (`app.use(metrics.httpMiddleware())`) timing
   * every request until its response is finished. The route label is the
   * matched route template (`/routers/:id`), never the raw path.
   */
  httpMiddleware(): (req: HttpRequestLike, res: HttpResponseLike, next: () => void) => void {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      let done = false;
      const observe = () => {
        if (done) return;
        done = true;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.httpDuration.observe({ method: req.method ?? 'GET', route: routeTemplate(req), status_code: String(res.statusCode) }, seconds);
      };
      res.once('finish', observe);
      res.once('close', observe);
      next();
    };
  }
}

/** The matched route template of a finished request, or {@link UNMATCHED_ROUTE}. */
export function routeTemplate(req: HttpRequestLike): string {
  const path = req.route?.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  return `${req.baseUrl ?? ''}${path}` || '/';
}

let cachedVersion: string | undefined;

/** The version of the nearest `package.json` above this file (the repository's, or the image's `/app/package.json`); `0.0.0` if none. */
export function serviceVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const version = (JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown }).version;
      cachedVersion = typeof version === 'string' ? version : '0.0.0';
      return cachedVersion;
    }
    const parent = dirname(dir);
    if (parent === dir) return (cachedVersion = '0.0.0');
    dir = parent;
  }
}
