import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CheckRequest, checkRequestSchema, CheckResult, checkResultSchema, ResolvedIdentity, resolvedIdentitySchema } from '@iam/contracts';
import { AccessService } from '../domain/access.service';
import { AuthorityMetrics } from '../observability/authority-metrics';
import { Access } from './bearer-auth.guard';
import { CheckRequestPipe } from './check-request.pipe';
import { ResolveIdentityDto } from './dto/access.dto';
import { ADMIN_BEARER, ApiErrors, contractSchema, SERVICE_BEARER } from './openapi-decorators';

/** `check` and `resolveIdentity` over HTTP (service or admin token). */
@Controller('v1')
@Access('reader')
@ApiTags('access')
@ApiBearerAuth(SERVICE_BEARER)
@ApiBearerAuth(ADMIN_BEARER)
@ApiErrors(400, 401, 413, 429)
export class AccessController {
  /** Label children made once: a request only times and observes (no label object, no closure). */
  private readonly checkLatency: Histogram.Internal<'transport' | 'op'>;
  private readonly resolveLatency: Histogram.Internal<'transport' | 'op'>;

  constructor(
    private readonly access: AccessService,
    metrics: AuthorityMetrics,
  ) {
    this.checkLatency = metrics.checkLatency.labels({ transport: 'http', op: 'check' });
    this.resolveLatency = metrics.checkLatency.labels({ transport: 'http', op: 'resolve' });
  }

  @Post('check')
  @HttpCode(200)
  @ApiOperation({ summary: 'May a principal do an action on a concrete resource? (the same as NATS iam.v1.rpc.check)' })
  @ApiBody({ schema: contractSchema(checkRequestSchema) })
  @ApiOkResponse({ description: 'The decision, the revision it reflects and the tags it depended on', schema: contractSchema(checkResultSchema) })
  @ApiErrors(412)
  async check(@Body(CheckRequestPipe) body: CheckRequest): Promise<CheckResult> {
    const started = performance.now();
    try {
      const { allowed, revision, tags } = await this.access.check(body);
      return { allowed, revision, tags };
    } finally {
      this.checkLatency.observe((performance.now() - started) / 1000);
    }
  }

  @Post('identity/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Who does a bearer token belong to? (the same as NATS iam.v1.rpc.identity.resolve)' })
  @ApiOkResponse({ description: 'The principal, its groups and the tags', schema: contractSchema(resolvedIdentitySchema) })
  @ApiErrors(404)
  async resolve(@Body() body: ResolveIdentityDto): Promise<ResolvedIdentity> {
    const started = performance.now();
    try {
      return await this.access.resolveIdentity(body.token);
    } finally {
      this.resolveLatency.observe((performance.now() - started) / 1000);
    }
  }
}
