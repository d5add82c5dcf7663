import { InjectionToken } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { IdentityResolver } from './identity-resolver';

/** The {@link IdentityResolver} registered under `token` anywhere in the app, or undefined (missing, or another kind of provider). */
export function findIdentityResolver(moduleRef: ModuleRef, token: InjectionToken): IdentityResolver | undefined {
  try {
    const found: unknown = moduleRef.get(token, { strict: false });
    return found instanceof IdentityResolver ? found : undefined;
  } catch {
    return undefined;
  }
}

/** A provider token as people wrote it (class name, symbol or string), for error messages. */
export function resolverTokenName(token: InjectionToken): string {
  return typeof token === 'function' ? token.name : String(token);
}
