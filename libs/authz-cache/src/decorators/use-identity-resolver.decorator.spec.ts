import 'reflect-metadata';
import { Reflector } from '@nestjs/core';
import { USE_IDENTITY_RESOLVER } from '../guard/authz.guard';
import { UseIdentityResolver } from './use-identity-resolver.decorator';

const TENANT = Symbol('TENANT');
const OTHER = Symbol('OTHER');

@UseIdentityResolver(TENANT)
class TenantController {
  inherits(): void {}

  @UseIdentityResolver(OTHER)
  overrides(): void {}
}

describe('@UseIdentityResolver', () => {
  const reflector = new Reflector();
  const tokenOf = (handler: () => void) => reflector.getAllAndOverride(USE_IDENTITY_RESOLVER, [handler, TenantController]);

  it('records the provider token on a controller; a handler decorator wins over it', () => {
    expect(tokenOf(TenantController.prototype.inherits)).toBe(TENANT);
    expect(tokenOf(TenantController.prototype.overrides)).toBe(OTHER);
  });

  it('refuses a missing token at decoration time', () => {
    expect(() => UseIdentityResolver(undefined as never)).toThrow(/provider token is required/);
  });
});
