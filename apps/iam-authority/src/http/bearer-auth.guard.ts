import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AUTHORITY_CONFIG } from '../app.tokens';
import { AuthorityConfig } from '../config/authority-config';
import { AuthorityError } from '../domain/errors';
import { bearerToken, digestsEqual, secretDigest } from '@iam/contracts';

/** Who may call a route: `admin` (mutations, admin reads) or `reader` (check/resolve: service or admin token). */
export type AccessLevel = 'admin' | 'reader' | 'public';

const ACCESS_KEY = 'iam:access';

/** Marks a controller or route with the token it needs. Routes without a mark need the admin token. */
export const Access = (level: AccessLevel) => SetMetadata(ACCESS_KEY, level);

/** The request after the guard: who is calling (for the audit log). */
export interface AuthenticatedRequest extends Request {
  actor?: string;
}

/**
 * Bearer-token guard: 401 UNAUTHENTICATED when the header is missing or the
 * token is no configured token; 403 FORBIDDEN when the service token is used
 * on an admin route. Tokens are compared in constant time and never echoed.
 * The audit actor is `admin:<owner>` (the owner configured with the admin
 * token in IAM_ADMIN_TOKENS) or `service`; callers cannot name themselves.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  /** Digests of the configured tokens, computed once: a request hashes only the presented token. */
  private readonly adminDigests: ReadonlyArray<{ owner: string; digest: Buffer }>;
  private readonly serviceDigest: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHORITY_CONFIG) config: AuthorityConfig,
  ) {
    this.adminDigests = config.adminTokens.map((admin) => ({ owner: admin.owner, digest: secretDigest(admin.token) }));
    this.serviceDigest = secretDigest(config.serviceToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const level = this.reflector.getAllAndOverride<AccessLevel>(ACCESS_KEY, [context.getHandler(), context.getClass()]) ?? 'admin';
    if (level === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = bearerToken(request.headers.authorization);
    if (presented === undefined) throw new AuthorityError('UNAUTHENTICATED', 'an Authorization: Bearer <token> header is required');
    // Compare with every configured token (no early exit), so timing does not tell which one matched.
    const digest = secretDigest(presented);
    let owner: string | undefined;
    for (const admin of this.adminDigests) if (digestsEqual(digest, admin.digest)) owner = admin.owner;
    const isService = digestsEqual(digest, this.serviceDigest);
    if (owner === undefined && !isService) throw new AuthorityError('UNAUTHENTICATED', 'the bearer token is not valid');
    if (level === 'admin' && owner === undefined) throw new AuthorityError('FORBIDDEN', 'this route needs an admin token');
    request.actor = owner !== undefined ? `admin:${owner}` : 'service';
    return true;
  }
}
