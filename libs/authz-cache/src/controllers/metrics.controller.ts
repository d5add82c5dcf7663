import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AUTHZ_METRICS, AuthzMetrics } from '../metrics/authz-metrics';

/** `GET /metrics`: this module's Prometheus registry (text exposition). */
@Controller()
export class MetricsController {
  constructor(@Inject(AUTHZ_METRICS) private readonly metrics: AuthzMetrics) {}

  @Get('metrics')
  async metricsText(@Res() response: Response): Promise<void> {
    response.setHeader('content-type', this.metrics.contentType);
    response.send(await this.metrics.render());
  }
}
