import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * Per-client-IP rate limit of the authority's HTTP API (429 RATE_LIMITED),
 * `IAM_RATE_LIMIT_PER_MINUTE` (default 6000; 0 turns it off). NATS RPC calls
 * are not counted here: they come from services holding the service token,
 * whose caches bound their own authority calls.
 */
@Injectable()
export class HttpRateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }
}
