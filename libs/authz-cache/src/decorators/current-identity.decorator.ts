import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { ResolvedIdentity } from '@iam/contracts';
import { identityOf } from '../guard/request-identity';

/**
 * The caller's {@link ResolvedIdentity}, as admitted by the guard of
 * `@RequirePermission` (undefined on unguarded routes). Outside a handler's
 * parameters, `identityOf(request)` gives the same.
 */
export const CurrentIdentity = createParamDecorator((_data: unknown, context: ExecutionContext): ResolvedIdentity | undefined => {
  return identityOf(context.switchToHttp().getRequest<object>());
});
