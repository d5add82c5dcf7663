import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { FlushRequestScope, FlushService } from '../domain/flush.service';
import { AuthenticatedRequest } from './bearer-auth.guard';
import { FlushDto } from './dto/admin.dto';

/** Break-glass operations (admin token). */
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly flushes: FlushService) {}

  /** Publishes a `cache.flush` event (through the outbox, with a revision like any mutation). */
  @Post('flush')
  @HttpCode(200)
  flush(@Req() req: AuthenticatedRequest, @Body() body: FlushDto) {
    return this.flushes.flush(req.actor!, body.scope as FlushRequestScope, body.reason);
  }
}
