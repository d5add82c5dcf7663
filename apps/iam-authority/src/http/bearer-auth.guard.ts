import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AUTHORITY_CONFIG } from '../app.tokens';
import { AuthorityConfig } from '../config/authority-config';
import { AuthorityError } from '../domain/errors';
import { bearerToken, secretsEqual } from '@iam/contracts';

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
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHORITY_CONFIG) private readonly config: AuthorityConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const level = this.reflector.getAllAndOverride<AccessLevel>(ACCESS_KEY, [context.getHandler(), context.getClass()]) ?? 'admin';
    if (level === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = bearerToken(request.headers.authorization);
    if (presented === undefined) throw new AuthorityError('UNAUTHENTICATED', 'an Authorization: Bearer <token> header is required');
    // Compare with every configured token (no early exit), so timing does not tell which one matched.
    let owner: string | undefined;
    for (const admin of this.config.adminTokens) if (secretsEqual(presented, admin.token)) owner = admin.owner;
    const isService = secretsEqual(presented, this.config.serviceToken);
    if (owner === undefined && !isService) throw new AuthorityError('UNAUTHENTICATED', 'the bearer token is not valid');
    if (level === 'admin' && owner === undefined) throw new AuthorityError('FORBIDDEN', 'this route needs an admin token');
    request.actor = owner !== undefined ? `admin:${owner}` : 'service';
    return true;
  }
}
