import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DATABASE } from '../app.tokens';
import { Database } from '../storage/database';
import { AuthorityMetrics } from '../observability/authority-metrics';
import { NatsConnector } from '../relay/nats-connector';
import { OutboxRelay } from '../relay/outbox-relay';
import { Access } from './bearer-auth.guard';

/** `/health` (database, NATS, relay backlog) and `/metrics` (Prometheus); no token. */
@Controller()
@Access('public')
@ApiTags('operations')
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly nats: NatsConnector,
    private readonly relay: OutboxRelay,
    private readonly metrics: AuthorityMetrics,
  ) {}

  /**
   * 200 when the database answers (the authority can take mutations; events
   * wait in the outbox while NATS is down, reported as `degraded`); 503 when
   * the database does not.
   */
  @Get('health')
  @ApiOperation({ summary: 'Health: database, NATS, relay backlog (no token)' })
  @ApiOkResponse({ description: '`ok`, or `degraded` while NATS is down (events wait in the outbox)' })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer' })
  async health(@Res({ passthrough: true }) res: Response) {
    let database: 'up' | 'down' = 'up';
    let backlog: number | null = null;
    let revision: number | null = null;
    try {
      backlog = await this.relay.backlog();
      const [row] = await this.db.query<{ value: unknown }>('SELECT value FROM revision WHERE id = 1');
      revision = Number(row.value);
    } catch {
      database = 'down';
    }
    const nats = this.nats.isConnected ? 'connected' : 'disconnected';
    const relay = this.relay.status();
    const status = database === 'down' ? 'down' : nats === 'connected' && !relay.lastError ? 'ok' : 'degraded';
    if (database === 'down') res.status(503);
    return { status, database, nats, revision, relay: { ...relay, backlog } };
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics (no token)' })
  @ApiProduces('text/plain')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    await this.relay.backlog().catch(() => undefined);
    return this.metrics.registry.metrics();
  }
}
