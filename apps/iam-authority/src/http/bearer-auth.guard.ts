import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AUTHORITY_CONFIG } from '../app.tokens';
import { AuthorityConfig } from '../config/authority-config';
import { AuthorityError } from '../domain/errors';
import { constantTimeEquals } from '../domain/tokens';

/** Who may call a route: `admin` (mutations, admin reads) or `reader` (check/resolve: service or admin token). */
export type AccessLevel = 'admin' | 'reader' | 'public';

const ACCESS_KEY = 'iam:access';

/** Marks a controller or route with the token it needs. Routes without a mark need the admin token. */
export const Access = (level: AccessLevel) => SetMetadata(ACCESS_KEY, level);

/** The request after the guard: who is calling (for the audit log). */
export interface AuthenticatedRequest extends Request {
  actor?: string;
}

const ACTOR_HEADER = 'x-iam-actor';
const ACTOR_SHAPE = /^[\x21-\x7e]{1,128}$/;

/**
 * Bearer-token guard: 401 UNAUTHENTICATED when the header is missing or the
 * token is neither configured token; 403 FORBIDDEN when the service token is
 * used on an admin route. Tokens are compared in constant time and never
 * echoed. The audit actor is `admin` or `service`, refined by an optional
 * `x-iam-actor` header (e.g. the operator's name) on admin calls.
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
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new AuthorityError('UNAUTHENTICATED', 'an Authorization: Bearer <token> header is required');
    const presented = match[1];
    const isAdmin = constantTimeEquals(presented, this.config.adminToken);
    const isService = !isAdmin && constantTimeEquals(presented, this.config.serviceToken);
    if (!isAdmin && !isService) throw new AuthorityError('UNAUTHENTICATED', 'the bearer token is not valid');
    if (level === 'admin' && !isAdmin) throw new AuthorityError('FORBIDDEN', 'this route needs the admin token');
    const named = request.headers[ACTOR_HEADER];
    request.actor = isAdmin ? (typeof named === 'string' && ACTOR_SHAPE.test(named) ? `admin:${named}` : 'admin') : 'service';
    return true;
  }
}
