import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ResolvedIdentity } from '@iam/contracts';

/**
 * The caller's {@link ResolvedIdentity}, as set by the guard of
 * `@RequirePermission` (undefined on unguarded routes).
 */
export const CurrentIdentity = createParamDecorator((_data: unknown, context: ExecutionContext): ResolvedIdentity | undefined => {
  return context.switchToHttp().getRequest<{ identity?: ResolvedIdentity }>().identity;
});
