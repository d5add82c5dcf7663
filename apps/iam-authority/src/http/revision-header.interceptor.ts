import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { REVISION_HEADER } from '@iam/contracts';
import type { Response } from 'express';
import { Observable, tap } from 'rxjs';

/** Copies a numeric `revision` of an answer into the `x-iam-revision` header (the consistency token). */
@Injectable()
export class RevisionHeaderInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    return next.handle().pipe(
      tap((body) => {
        const revision = (body as { revision?: unknown } | null)?.revision;
        if (typeof revision === 'number') context.switchToHttp().getResponse<Response>().setHeader(REVISION_HEADER, String(revision));
      }),
    );
  }
}
