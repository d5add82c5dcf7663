import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import type { RebuildResult, ReplayResult } from '@iam/contracts';
import { AuthzCacheStats, AuthzService } from '../authz.service';
import { AuthzError } from '../errors';
import { AdminTokenGuard } from '../guard/admin-token.guard';
import { httpError } from '../guard/http-errors';

/**
 * Operator endpoints of one instance (admin token). For every instance of a
 * service at once, use the control requests (`iamctl replay|rebuild`).
 */
@Controller('admin/cache')
@UseGuards(AdminTokenGuard)
export class AdminCacheController {
  constructor(private readonly authz: AuthzService) {}

  /** `GET /admin/cache/stats`. */
  @Get('stats')
  stats(): AuthzCacheStats {
    return this.authz.stats();
  }

  /** `POST /admin/cache/replay` `{fromSequence}` or `{since}` (ISO-8601). */
  @Post('replay')
  @HttpCode(HttpStatus.OK)
  replay(@Body() body: { fromSequence?: number; since?: string } | undefined): Promise<ReplayResult> {
    return this.mapErrors(() => this.authz.replay({ fromSequence: body?.fromSequence, since: body?.since }));
  }

  /** `POST /admin/cache/rebuild` `{topN?, concurrency?}`. */
  @Post('rebuild')
  @HttpCode(HttpStatus.OK)
  rebuild(@Body() body: { topN?: number; concurrency?: number } | undefined): Promise<RebuildResult> {
    const options: { topN?: number; concurrency?: number } = {};
    if (body?.topN !== undefined) options.topN = body.topN;
    if (body?.concurrency !== undefined) options.concurrency = body.concurrency;
    return this.mapErrors(() => this.authz.rebuild(options));
  }

  /** `POST /admin/cache/flush` (everything; `{principal}` for one principal's entries). */
  @Post('flush')
  @HttpCode(HttpStatus.OK)
  flush(@Body() body: { principal?: string } | undefined): { flushed: number } {
    const principal = typeof body?.principal === 'string' && body.principal !== '' ? body.principal : undefined;
    return { flushed: this.authz.flush(principal ? { principal } : {}) };
  }

  private async mapErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof AuthzError && error.code === 'INVALID_REQUEST') {
        throw httpError(HttpStatus.BAD_REQUEST, 'INVALID_REQUEST', error.message, (error as { field?: string }).field);
      }
      if (error instanceof AuthzError && error.code === 'NOT_LIVE') throw httpError(HttpStatus.SERVICE_UNAVAILABLE, 'NOT_LIVE', error.message);
      throw httpError(HttpStatus.SERVICE_UNAVAILABLE, 'AUTHZ_UNAVAILABLE', `the operation failed: ${(error as Error).message}`);
    }
  }
}
