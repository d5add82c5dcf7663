import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { FlushRequestScope, FlushService } from '../domain/flush.service';
import { AuthenticatedRequest } from './bearer-auth.guard';
import { FlushDto } from './dto/admin.dto';
import { AdminApi } from './openapi-decorators';

/** Break-glass operations (admin token). */
@Controller('v1/admin')
@AdminApi('break-glass')
export class AdminController {
  constructor(private readonly flushes: FlushService) {}

  /** Publishes a `cache.flush` event (through the outbox, with a revision like any mutation). */
  @Post('flush')
  @ApiOperation({ summary: 'Publish a cache.flush event: one principal, one tenant, or everything' })
  @ApiOkResponse({ description: 'The event id and its revision' })
  @HttpCode(200)
  flush(@Req() req: AuthenticatedRequest, @Body() body: FlushDto) {
    return this.flushes.flush(req.actor!, body.scope as FlushRequestScope, body.reason);
  }
}
