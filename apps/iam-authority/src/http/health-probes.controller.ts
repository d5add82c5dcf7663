import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DATABASE } from '../app.tokens';
import { NatsConnector } from '../relay/nats-connector';
import { Database } from '../storage/database';
import { Access } from './bearer-auth.guard';

/**
 * Kubernetes probes (terminus format), no token:
 * - `GET /health/live`: 200 while the process serves HTTP (nothing external);
 * - `GET /health/ready`: 200 while the database answers. NATS being down
 *   does not take the authority out of rotation: mutations commit, their
 *   events wait in the outbox, and the detail says so.
 * `GET /health` keeps its own JSON (HealthController).
 */
@Controller('health')
@Access('public')
@ApiTags('operations')
export class HealthProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DATABASE) private readonly db: Database,
    private readonly nats: NatsConnector,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness probe: 200 while the process serves HTTP (no token)' })
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness probe: 200 while the database answers; NATS down is a detail, not a failure (no token)' })
  @HealthCheck()
  ready() {
    return this.health.check([() => this.database(), () => this.natsDetail()]);
  }

  private async database() {
    const session = this.indicators.check('database');
    try {
      await this.db.query('SELECT 1');
      return session.up({ kind: this.db.kind });
    } catch (error) {
      return session.down({ kind: this.db.kind, message: (error as Error).message });
    }
  }

  /** Always up: informational (the outbox covers a NATS outage). */
  private natsDetail() {
    return this.indicators.check('nats').up({ connected: this.nats.isConnected, ...(this.nats.isConnected ? {} : { note: 'events wait in the outbox' }) });
  }
}
