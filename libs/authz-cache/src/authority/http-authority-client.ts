import { HttpJsonClient, HttpJsonError } from '@iam/contracts';
import type { AuthorityErrorBody, CheckRequest, CheckResult, HttpJsonAnswer, ResolvedIdentity } from '@iam/contracts';
import { AuthorityUnavailableError } from '../errors';
import { asCheckResult, asResolvedIdentity, AuthorityClient, authorityError } from './authority-client';

/**
 * The authority's read API over HTTP: `POST /v1/check` and
 * `POST /v1/identity/resolve` with the service token as bearer. Errors are
 * `AuthorityErrorBody` JSON (404 TOKEN_INVALID, 412 REVISION_NOT_REACHED, ...).
 */
export class HttpAuthorityClient implements AuthorityClient {
  readonly transport = 'http' as const;
  /** Kept-alive connections to the authority: every miss would otherwise pay a TCP handshake. */
  private readonly http = new HttpJsonClient();

  constructor(
    private readonly baseUrl: string,
    private readonly serviceToken: string,
    private readonly timeoutMs: number,
  ) {}

  async check(request: CheckRequest, signal?: AbortSignal): Promise<CheckResult> {
    const { status, body } = await this.post('/v1/check', request, signal);
    if (status === 200) return asCheckResult(body);
    throw this.failure(status, body, request.atLeastRevision);
  }

  async resolveIdentity(token: string, atLeastRevision?: number, signal?: AbortSignal): Promise<ResolvedIdentity | null> {
    // The contract's ResolveIdentityRequest is `{token}` only (the authority refuses unknown fields):
    // it answers from its latest committed state, which is at least any revision a caller was given.
    const { status, body } = await this.post('/v1/identity/resolve', { token }, signal);
    if (status === 200) return asResolvedIdentity(body);
    if ((body as Partial<AuthorityErrorBody> | undefined)?.code === 'TOKEN_INVALID') return null;
    throw this.failure(status, body, atLeastRevision);
  }

  private failure(status: number, body: unknown, wanted: number | undefined): Error {
    if (status >= 500 && status !== 501) return new AuthorityUnavailableError(`the authority answered HTTP ${status}`);
    return authorityError(body as Partial<AuthorityErrorBody> | undefined, wanted);
  }

  private async post(path: string, payload: unknown, signal?: AbortSignal): Promise<{ status: number; body: unknown }> {
    let answer: HttpJsonAnswer;
    try {
      // Both calls are reads: one resend after a kept-alive connection the authority had just closed is safe.
      answer = await this.http.request(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.serviceToken}` },
        body: payload,
        timeoutMs: this.timeoutMs,
        signal,
        idempotent: true,
      });
    } catch (error) {
      const reason = error instanceof HttpJsonError ? error.reason : 'connection';
      const why = reason === 'timeout' ? `no answer within ${this.timeoutMs} ms` : reason === 'aborted' ? 'aborted' : 'connection failed';
      // The error's own message may carry the URL, never the token (it is a header).
      throw new AuthorityUnavailableError(`authority ${path} over HTTP failed: ${why}`, { cause: error });
    }
    if (answer.json === undefined && answer.status === 200) throw new AuthorityUnavailableError(`authority ${path} over HTTP answered with invalid JSON`);
    return { status: answer.status, body: answer.json };
  }
}
