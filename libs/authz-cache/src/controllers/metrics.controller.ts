import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { HttpReply } from './http-reply';
import { AUTHZ_METRICS, AuthzMetrics } from '../metrics/authz-metrics';

/** `GET /metrics`: this module's Prometheus registry (text exposition). */
@Controller()
export class MetricsController {
  constructor(@Inject(AUTHZ_METRICS) private readonly metrics: AuthzMetrics) {}

  @Get('metrics')
  async metricsText(@Res() response: HttpReply): Promise<void> {
    response.header('content-type', this.metrics.contentType).send(await this.metrics.render());
  }
}
