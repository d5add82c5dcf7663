import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { AuthzHealthIndicator } from '../health/authz-health.indicator';

/**
 * Kubernetes probes (terminus format: `{status, info, error, details}`):
 * - `GET /health/live`: 200 while the process serves HTTP; checks nothing
 *   external, so a broker or authority outage never restarts pods;
 * - `GET /health/ready`: 200 while the instance can answer permission checks
 *   correctly (the freshness rule, {@link AuthzHealthIndicator}), else 503.
 * `GET /health` keeps its own JSON (HealthController).
 */
@Controller('health')
export class HealthProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly authz: AuthzHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.authz.isReady('authz')]);
  }
}
