import type { ExecutionContext } from '@nestjs/common';
import type { AuthorityConfig } from '../config/authority-config';
import { AuthorityError } from '../domain/errors';
import { HttpRateLimitGuard } from './http-rate-limit';

function httpContext(ip: string): ExecutionContext {
  return { getType: () => 'http', switchToHttp: () => ({ getRequest: () => ({ ip }) }) } as unknown as ExecutionContext;
}

describe('HttpRateLimitGuard', () => {
  it('lets a burst of ten seconds through per client, then answers RATE_LIMITED', () => {
    const guard = new HttpRateLimitGuard({ rateLimitPerMinute: 60 } as AuthorityConfig);
    for (let i = 0; i < 10; i++) expect(guard.canActivate(httpContext('10.0.0.1'))).toBe(true);
    expect(() => guard.canActivate(httpContext('10.0.0.1'))).toThrow(AuthorityError);
    // Another client has a bucket of its own.
    expect(guard.canActivate(httpContext('10.0.0.2'))).toBe(true);
  });

  it('is off at 0', () => {
    const guard = new HttpRateLimitGuard({ rateLimitPerMinute: 0 } as AuthorityConfig);
    for (let i = 0; i < 1000; i++) expect(guard.canActivate(httpContext('10.0.0.1'))).toBe(true);
  });
});
