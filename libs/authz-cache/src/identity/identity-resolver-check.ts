import { Injectable, InjectionToken, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import { AuthzConfigError } from '../errors';
import { USE_IDENTITY_RESOLVER } from '../guard/authz.guard';
import { findIdentityResolver, resolverTokenName } from './find-identity-resolver';

/**
 * Fails start-up when a controller or route names, with
 * `@UseIdentityResolver(token)`, a token under which no
 * `IdentityResolver` is registered: a wiring mistake is an error at
 * boot, naming the route and the token, instead of a 500 on the first request.
 * (The guard still fails closed if a resolver disappears at run time.)
 */
@Injectable()
export class IdentityResolverCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const { instance, metatype } = wrapper;
      if (!instance || typeof metatype !== 'function') continue;
      this.verify(this.reflector.get<InjectionToken | undefined>(USE_IDENTITY_RESOLVER, metatype), metatype.name);
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[method];
        if (typeof handler !== 'function') continue;
        this.verify(this.reflector.get<InjectionToken | undefined>(USE_IDENTITY_RESOLVER, handler), `${metatype.name}.${method}`);
      }
    }
  }

  private verify(token: InjectionToken | undefined, where: string): void {
    if (token === undefined) return;
    if (!findIdentityResolver(this.moduleRef, token)) {
      throw new AuthzConfigError(
        '@UseIdentityResolver',
        `@UseIdentityResolver(${resolverTokenName(token)}) on ${where}: no IdentityResolver is registered under this token; ` +
          'provide one, e.g. { provide: TOKEN, useFactory: (authz: AuthzService) => authz.createIdentityResolver(), inject: [AuthzService] }',
      );
    }
  }
}
