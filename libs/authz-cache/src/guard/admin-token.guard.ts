import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { ResolvedAuthzOptions } from '../config/authz-cache.options';
import { AUTHZ_OPTIONS } from '../tokens';
import { bearerToken, secretsEqual } from './bearer-token';
import { httpError } from './http-errors';

/** Guards `/admin/cache/*`: `Authorization: Bearer <adminToken>` (401 without it, 403 with a wrong one). */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(AUTHZ_OPTIONS) private readonly options: ResolvedAuthzOptions) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw httpError(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', 'the admin bearer token is required');
    if (!secretsEqual(token, this.options.adminToken)) throw httpError(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'not the admin token');
    return true;
  }
}
