import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { HttpReply } from './http-reply';
import { AuthzService } from '../authz.service';

/**
 * `GET /health` (readiness): 200 `{status:'ok', live:true, ...}` once the
 * subscription is live (detail: degraded and why, freshAsOf age, last
 * checkpoint, trusted revision), else 503 `{status:'unavailable', live:false, ...}`.
 * With the kill switch (`enabled:false`) there is no subscription to wait
 * for: 200 `{status:'ok', live:false, enabled:false}`.
 */
@Controller()
export class HealthController {
  constructor(private readonly authz: AuthzService) {}

  @Get('health')
  health(@Res() response: HttpReply): void {
    const stats = this.authz.stats();
    const ok = stats.live || !stats.enabled;
    response.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).send({
      status: ok ? 'ok' : 'unavailable',
      service: stats.service,
      instanceId: stats.instanceId,
      enabled: stats.enabled,
      live: stats.live,
      degraded: stats.degraded,
      ...(stats.degradedReason ? { degradedReason: stats.degradedReason } : {}),
      appliedSequence: stats.appliedSequence,
      lag: stats.lag,
      trustedRevision: stats.appliedRevision,
      ...(stats.freshAsOfAgeMs !== undefined ? { freshAsOfAgeMs: stats.freshAsOfAgeMs } : {}),
      ...(stats.lastCheckpoint ? { lastCheckpoint: stats.lastCheckpoint } : {}),
    });
  }
}
