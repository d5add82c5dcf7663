import { ExpressAdapter } from '@nestjs/platform-express';
import { REVISION_HEADER } from '@iam/contracts';

/** Copies a numeric `revision` of an answer body into the `x-iam-revision` header (the consistency token). */
export function setRevisionHeader(response: { setHeader(name: string, value: string): unknown }, body: unknown): void {
  const revision = (body as { revision?: unknown } | null | undefined)?.revision;
  if (typeof revision === 'number') response.setHeader(REVISION_HEADER, String(revision));
}

/**
 * The authority's HTTP adapter: Express, plus `x-iam-revision` on every
 * handler answer whose body carries a numeric `revision` (error answers get
 * it from `AuthorityExceptionFilter`, with the same function).
 *
 * Why here and not in a global interceptor: Nest runs every request of an
 * app with an interceptor through rxjs (`defer`, `mergeAll`, `lastValueFrom`)
 * and two `AsyncResource.bind` calls, about a tenth of the CPU profile of
 * `POST /v1/check`, the authority's hot path; `reply` is the one place every
 * handler answer already passes, at no extra cost.
 */
export class AuthorityHttpAdapter extends ExpressAdapter {
  override reply(response: { setHeader(name: string, value: string): unknown }, body: unknown, statusCode?: number): unknown {
    setRevisionHeader(response, body);
    return super.reply(response, body, statusCode);
  }
}
