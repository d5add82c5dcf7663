import { Logger } from '@nestjs/common';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { RPC_ERROR_HEADERS, RPC_QUEUE_GROUP, RPC_SERVICE, RPC_SUBJECTS, RpcReply } from '@iam/contracts';
import { HTTP_STATUS } from '../domain/errors';
import { AuthorityMetrics } from '../observability/authority-metrics';
import { NatsConnector } from '../relay/nats-connector';
import { AuthorityRpcHandlers } from './authority-rpc-handlers';

const encoder = new TextEncoder();

/** Per-endpoint counters over the whole (asynchronous) handling of a request. */
interface EndpointCounters {
  errors: number;
  processingNanos: number;
  requests: number;
}

/**
 * Endpoint stats reported in `data` of `$SRV.STATS`: the services framework times only
 * the synchronous part of a handler and counts only thrown errors, so its
 * own `processing_time`/`num_errors` stay near zero for async handlers;
 * these cover the whole handling and every error reply.
 */
export interface RpcEndpointStatsData {
  num_requests: number;
  num_errors: number;
  /** Nanoseconds. */
  processing_time: number;
  /** Nanoseconds. */
  average_processing_time: number;
}

/**
 * The authority's check/resolve RPC as a NATS service (`@nats-io/services`):
 * plain JSON on {@link RPC_SUBJECTS} in the queue group
 * {@link RPC_QUEUE_GROUP}, so replicas share requests, and `$SRV.PING|INFO|STATS`
 * discovery. Error replies keep the JSON body (`{ok:false,error}`) and also
 * carry the framework's error headers.
 *
 * Survives NATS being down at start (its own {@link NatsConnector}: first
 * attempt awaited, then retried in the background); once connected, nats.js
 * re-subscribes the endpoints after every reconnect by itself.
 */
export class AuthorityRpcService {
  private readonly logger = new Logger('AuthorityRpc');
  private readonly counters = new Map<string, EndpointCounters>();
  private service: Service | null = null;
  private adding: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly connector: NatsConnector,
    private readonly handlers: AuthorityRpcHandlers,
    private readonly metrics: AuthorityMetrics,
  ) {}

  /** The running service (null until NATS was reached), for tests and tools. */
  get current(): Service | null {
    return this.service;
  }

  /** Connects (or keeps trying in the background) and adds the service once connected. Resolves either way. */
  async start(): Promise<void> {
    this.connector.onConnect((nc) => {
      if (!this.service && !this.adding) this.adding = this.add(nc).finally(() => (this.adding = null));
    });
    await this.connector.start();
    await this.adding;
  }

  /** Stops the service (its subscriptions) and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.adding?.catch(() => undefined);
    const service = this.service;
    this.service = null;
    // Unsubscribing drains through the server: only when it is reachable, and never for long (closing the connection ends the rest).
    if (service && !service.isStopped && this.connector.isConnected) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([service.stop().catch(() => null), new Promise((resolveLater) => (timer = setTimeout(resolveLater, 2000)))]);
      clearTimeout(timer);
    }
    await this.connector.close();
  }

  private async add(nc: NatsConnection): Promise<void> {
    try {
      const service = await new Svcm(nc).add({
        name: RPC_SERVICE.name,
        version: RPC_SERVICE.version,
        description: RPC_SERVICE.description,
        queue: RPC_QUEUE_GROUP,
        statsHandler: (endpoint) => Promise.resolve(this.statsData(endpoint.subject)),
      });
      if (this.closed) {
        await service.stop().catch(() => null);
        return;
      }
      this.endpoint(service, RPC_SERVICE.endpoints.check, RPC_SUBJECTS.check, 'check', 'CheckRpcRequest', 'CheckReply', (body) => this.handlers.check(body));
      this.endpoint(service, RPC_SERVICE.endpoints.resolveIdentity, RPC_SUBJECTS.resolveIdentity, 'resolve', 'ResolveIdentityRpcRequest', 'ResolveIdentityReply', (body) =>
        this.handlers.resolveIdentity(body),
      );
      // The subscriptions are on the server before start() returns: a request right after is answered.
      await nc.flush();
      this.service = service;
      void service.stopped.then((error) => {
        if (error && !this.closed) this.logger.error(`RPC service stopped: ${error.message}`);
      });
      this.logger.log(`answering ${RPC_SUBJECTS.check}, ${RPC_SUBJECTS.resolveIdentity} as service ${RPC_SERVICE.name} ${service.info().id} (queue ${RPC_QUEUE_GROUP})`);
    } catch (error) {
      this.logger.error(`RPC service not started: ${(error as Error).message}`);
    }
  }

  private endpoint(
    service: Service,
    name: string,
    subject: string,
    op: string,
    requestSchema: string,
    replySchema: string,
    handle: (body: Uint8Array) => Promise<RpcReply<unknown>>,
  ): void {
    const counters: EndpointCounters = { errors: 0, processingNanos: 0, requests: 0 };
    this.counters.set(subject, counters);
    service.addEndpoint(name, {
      subject,
      // Names of the request and reply schemas in @iam/contracts and docs/asyncapi.yaml.
      metadata: { request_schema: requestSchema, reply_schema: replySchema },
      handler: (_error, msg) => void this.respond(msg, op, counters, handle),
    });
  }

  private async respond(msg: ServiceMsg, op: string, counters: EndpointCounters, handle: (body: Uint8Array) => Promise<RpcReply<unknown>>): Promise<void> {
    const started = process.hrtime.bigint();
    const stop = this.metrics.checkLatency.startTimer({ transport: 'nats', op });
    const reply = await handle(msg.data);
    const body = encoder.encode(JSON.stringify(reply));
    try {
      if (reply.ok) {
        msg.respond(body);
      } else {
        counters.errors += 1;
        const h = headers();
        h.set(RPC_ERROR_HEADERS.code, String(HTTP_STATUS[reply.error.code] ?? 500));
        // Header values are one line: messages never carry secrets, but may carry a field path.
        h.set(RPC_ERROR_HEADERS.description, `${reply.error.code}: ${reply.error.message}`.replace(/[\r\n]+/g, ' '));
        msg.respond(body, { headers: h });
      }
    } catch (error) {
      // The connection closed under us (shutdown): the caller times out and retries elsewhere.
      this.logger.warn(`${op} reply not sent: ${(error as Error).message}`);
    } finally {
      counters.requests += 1;
      counters.processingNanos += Number(process.hrtime.bigint() - started);
      stop();
    }
  }

  private statsData(subject: string): RpcEndpointStatsData | null {
    const counters = this.counters.get(subject);
    if (!counters) return null;
    return {
      num_requests: counters.requests,
      num_errors: counters.errors,
      processing_time: counters.processingNanos,
      average_processing_time: counters.requests > 0 ? Math.round(counters.processingNanos / counters.requests) : 0,
    };
  }
}
