import { NoRespondersError, RequestError, type NatsConnection } from '@nats-io/nats-core';
import { Svcm, type ServiceInfo, type ServiceStats } from '@nats-io/services';
import { CliError } from '../errors';
import type { CliContext } from '../context';
import { parsePositiveInt } from '../duration';
import { renderTable } from '../output/table';

/** One endpoint of a discovered service, with its stats. */
export interface DiscoveredEndpoint {
  name: string;
  subject: string;
  queueGroup: string | null;
  requests: number;
  errors: number;
  /** Total processing time, in milliseconds. */
  processingMs: number;
  /** Average processing time per request, in milliseconds. */
  averageMs: number;
  lastError: string | null;
}

/** One service instance that answered `$SRV.INFO` (and `$SRV.STATS`). */
export interface DiscoveredService {
  name: string;
  id: string;
  version: string;
  description: string;
  /** When the instance started (RFC 3339), from its stats; null when it did not answer STATS. */
  started: string | null;
  endpoints: DiscoveredEndpoint[];
}

/** Stats an endpoint may report in `data`, over its whole (asynchronous) handling; preferred when present. */
interface EndpointStatsData {
  num_requests?: number;
  num_errors?: number;
  processing_time?: number;
  average_processing_time?: number;
}

const NANOS_PER_MS = 1e6;

/** Joins INFO and STATS answers by instance id, in a stable order (name, then id). */
export function joinServices(infos: ServiceInfo[], stats: ServiceStats[]): DiscoveredService[] {
  const statsById = new Map(stats.map((s) => [s.id, s]));
  return infos
    .map((info): DiscoveredService => {
      const instanceStats = statsById.get(info.id);
      return {
        name: info.name,
        id: info.id,
        version: info.version,
        description: info.description ?? '',
        started: instanceStats?.started ?? null,
        endpoints: (info.endpoints ?? []).map((endpoint): DiscoveredEndpoint => {
          const s = instanceStats?.endpoints?.find((candidate) => candidate.name === endpoint.name);
          const data = (s?.data ?? {}) as EndpointStatsData;
          const requests = data.num_requests ?? s?.num_requests ?? 0;
          const processing = data.processing_time ?? s?.processing_time ?? 0;
          return {
            name: endpoint.name,
            subject: endpoint.subject,
            queueGroup: endpoint.queue_group ?? null,
            requests,
            errors: data.num_errors ?? s?.num_errors ?? 0,
            processingMs: processing / NANOS_PER_MS,
            averageMs: (data.average_processing_time ?? s?.average_processing_time ?? (requests > 0 ? processing / requests : 0)) / NANOS_PER_MS,
            lastError: s?.last_error || null,
          };
        }),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Asks every NATS service (or those named `name`) for INFO and STATS; collects answers until 300 ms pass without one, at most `waitMs`. */
async function discoverServices(nc: NatsConnection, name: string | undefined, waitMs: number): Promise<DiscoveredService[]> {
  const client = new Svcm(nc).client({ strategy: 'stall', stall: 300, maxWait: waitMs });
  const collect = async <T>(answers: Promise<AsyncIterable<T>>): Promise<T[]> => {
    const out: T[] = [];
    try {
      for await (const answer of await answers) out.push(answer);
    } catch (error) {
      // Nobody subscribes to the discovery subject: no service, not a failure of the request.
      if (!(error instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders()))) throw new CliError(`service discovery failed: ${(error as Error).message}`, 1, 'DISCOVERY_FAILED');
    }
    return out;
  };
  const [infos, stats] = await Promise.all([collect(client.info(name)), collect(client.stats(name))]);
  return joinServices(infos, stats);
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(3) : value.toFixed(1);
}

/** The human table: one line per endpoint of each instance. */
export function renderServices(services: DiscoveredService[]): string {
  const rows = services.flatMap((service) => service.endpoints.map((endpoint) => ({ service, endpoint })));
  return renderTable(
    [
      { header: 'SERVICE', value: (r) => r.service.name },
      { header: 'ID', value: (r) => r.service.id },
      { header: 'VERSION', value: (r) => r.service.version },
      { header: 'ENDPOINT', value: (r) => r.endpoint.name },
      { header: 'SUBJECT', value: (r) => r.endpoint.subject },
      { header: 'QUEUE', value: (r) => r.endpoint.queueGroup },
      { header: 'REQUESTS', value: (r) => r.endpoint.requests, align: 'right' },
      { header: 'ERRORS', value: (r) => r.endpoint.errors, align: 'right' },
      { header: 'AVG MS', value: (r) => ms(r.endpoint.averageMs), align: 'right' },
      { header: 'TOTAL MS', value: (r) => ms(r.endpoint.processingMs), align: 'right' },
    ],
    rows,
  );
}

/** `iamctl services [--name <service>] [--wait <ms>]`: the NATS services discovered with `$SRV.INFO` and `$SRV.STATS`. */
export async function servicesCommand(ctx: CliContext, flags: { name?: unknown; wait?: unknown }): Promise<void> {
  const name = typeof flags.name === 'string' && flags.name.trim() ? flags.name.trim() : undefined;
  const waitMs = flags.wait === undefined ? 2000 : parsePositiveInt('--wait', String(flags.wait));
  const nc = await ctx.nats();
  const services = await discoverServices(nc, name, waitMs);
  if (services.length === 0) throw new CliError(`no NATS service${name ? ` named ${name}` : ''} answered $SRV.INFO within ${waitMs} ms`, 1, 'NO_SERVICE');
  ctx.print(renderServices(services), { services });
}
