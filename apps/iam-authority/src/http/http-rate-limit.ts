import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { LRUCache } from 'lru-cache';
import { TokenBucket } from '@iam/contracts';
import { AUTHORITY_CONFIG } from '../app.tokens';
import { AuthorityConfig } from '../config/authority-config';
import { AuthorityError } from '../domain/errors';

/** Client addresses remembered at once; the least recently seen are forgotten (a fresh bucket is full, never looser). */
const MAX_CLIENTS = 10_000;

/**
 * Per-client-IP rate limit of the authority's HTTP API (429 RATE_LIMITED),
 * `IAM_RATE_LIMIT_PER_MINUTE` (default 60,000; 0 turns it off): a token
 * bucket per address, refilled at the per-minute rate, holding ten seconds'
 * worth for bursts. O(1) per request (a sliding log of hits, as
 * @nestjs/throttler keeps, costs O(hits) per request and slowed the
 * authority down by the minute at a few thousand requests a second). NATS
 * RPC calls have their own limit (IAM_RPC_RATE_LIMIT_PER_SECOND).
 */
@Injectable()
export class HttpRateLimitGuard implements CanActivate {
  private readonly perSecond: number;
  private readonly buckets = new LRUCache<string, TokenBucket>({ max: MAX_CLIENTS });

  constructor(@Inject(AUTHORITY_CONFIG) config: AuthorityConfig) {
    this.perSecond = config.rateLimitPerMinute / 60;
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.perSecond <= 0 || context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const client = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.perSecond, Math.max(1, this.perSecond * 10));
      this.buckets.set(client, bucket);
    }
    if (!bucket.take()) throw new AuthorityError('RATE_LIMITED', 'too many requests from this client; retry shortly');
    return true;
  }
}
