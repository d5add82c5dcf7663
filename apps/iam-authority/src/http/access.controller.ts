import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CheckRequest, CheckResult, ResolvedIdentity } from '@iam/contracts';
import { AccessService } from '../domain/access.service';
import { AuthorityMetrics } from '../observability/authority-metrics';
import { Access } from './bearer-auth.guard';
import { CheckRequestPipe } from './check-request.pipe';
import { ResolveIdentityDto } from './dto/access.dto';

/** `check` and `resolveIdentity` over HTTP (service or admin token). */
@Controller('v1')
@Access('reader')
export class AccessController {
  constructor(
    private readonly access: AccessService,
    private readonly metrics: AuthorityMetrics,
  ) {}

  @Post('check')
  @HttpCode(200)
  async check(@Body(CheckRequestPipe) body: CheckRequest): Promise<CheckResult> {
    const stop = this.metrics.checkLatency.startTimer({ transport: 'http', op: 'check' });
    try {
      const { allowed, revision, tags } = await this.access.check(body);
      return { allowed, revision, tags };
    } finally {
      stop();
    }
  }

  @Post('identity/resolve')
  @HttpCode(200)
  async resolve(@Body() body: ResolveIdentityDto): Promise<ResolvedIdentity> {
    const stop = this.metrics.checkLatency.startTimer({ transport: 'http', op: 'resolve' });
    try {
      return await this.access.resolveIdentity(body.token);
    } finally {
      stop();
    }
  }
}
