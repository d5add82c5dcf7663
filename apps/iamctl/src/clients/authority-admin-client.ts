import { REVISION_HEADER } from '@iam/contracts';
import { CliError } from '../errors';
import { httpJson } from './http-json';

/** An error answer of the authority (its `AuthorityErrorBody`), or no answer at all. */
class AuthorityRequestError extends CliError {
  override readonly name = 'AuthorityRequestError';
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message, 1, code);
  }
}

/** A mutation's answer: the body plus the revision it committed at (the consistency token). */
export type Mutation<T> = T & { revision: number };

/** A token as created (the secret is in `token`, shown once). */
export interface CreatedToken {
  tokenId: string;
  token: string;
  principal: string;
  expiresAt: string | null;
}

/** The authority's admin HTTP API, as iamctl and the demo use it (admin bearer token). */
export class AuthorityAdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminToken: string,
    private readonly timeoutMs = 10_000,
  ) {}

  createPrincipal(id: string, displayName?: string): Promise<Mutation<{ id: string }>> {
    return this.mutate('POST', '/v1/principals', displayName === undefined ? { id } : { id, displayName });
  }

  disablePrincipal(id: string): Promise<Mutation<{ id: string }>> {
    return this.mutate('POST', `/v1/principals/${encodeURIComponent(id)}/disable`);
  }

  deletePrincipal(id: string): Promise<Mutation<{ id: string }>> {
    return this.mutate('DELETE', `/v1/principals/${encodeURIComponent(id)}`);
  }

  createRole(id: string, actions: string[]): Promise<Mutation<{ id: string; actions: string[] }>> {
    return this.mutate('POST', '/v1/roles', { id, actions });
  }

  deleteRole(id: string): Promise<Mutation<{ id: string }>> {
    return this.mutate('DELETE', `/v1/roles/${encodeURIComponent(id)}`);
  }

  createPolicy(policy: { subjects: string[]; role?: string; actions?: string[]; resources: string[]; effect: 'allow' | 'deny' }): Promise<Mutation<{ id: string }>> {
    return this.mutate('POST', '/v1/policies', policy);
  }

  deletePolicy(id: string): Promise<Mutation<{ id: string }>> {
    return this.mutate('DELETE', `/v1/policies/${encodeURIComponent(id)}`);
  }

  /** Creates a token; the answer holds the secret once (field `token`). */
  async createToken(principal: string, ttlSeconds?: number): Promise<Mutation<CreatedToken>> {
    const body = await this.mutate<Record<string, unknown>>('POST', `/v1/principals/${encodeURIComponent(principal)}/tokens`, ttlSeconds === undefined ? {} : { ttlSeconds });
    const token = typeof body.token === 'string' ? body.token : typeof body.secret === 'string' ? body.secret : undefined;
    const tokenId = typeof body.tokenId === 'string' ? body.tokenId : typeof body.id === 'string' ? body.id : undefined;
    if (!token || !tokenId) throw new CliError('the authority answered a token creation without a token', 1, 'UNEXPECTED_ANSWER');
    return { ...body, token, tokenId, principal, expiresAt: (body.expiresAt as string | null | undefined) ?? null, revision: body.revision as number };
  }

  revokeToken(tokenId: string): Promise<Mutation<{ tokenId?: string }>> {
    return this.mutate('DELETE', `/v1/tokens/${encodeURIComponent(tokenId)}`);
  }

  /** Break-glass flush: every cache, or everything cached about one principal. */
  flush(scope: 'all' | { principal: string } | { tenant: string }): Promise<Mutation<Record<string, unknown>>> {
    return this.mutate('POST', '/v1/admin/flush', { scope });
  }

  /** Sends a mutation; resolves with the body and its revision, rejects with {@link AuthorityRequestError}. */
  async mutate<T extends object>(method: string, path: string, body?: unknown): Promise<Mutation<T>> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}${path}`;
    let response;
    try {
      response = await httpJson<Record<string, unknown>>(url, { method, token: this.adminToken, body, timeoutMs: this.timeoutMs });
    } catch (error) {
      throw new AuthorityRequestError(0, 'AUTHORITY_UNAVAILABLE', `no answer from the authority at ${this.baseUrl}: ${(error as Error).message}`);
    }
    const answer = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as Record<string, unknown>;
    if (response.status >= 400) {
      const code = typeof answer.code === 'string' ? answer.code : `HTTP_${response.status}`;
      const message = typeof answer.message === 'string' ? answer.message : `HTTP ${response.status}`;
      const field = typeof answer.field === 'string' ? answer.field : undefined;
      throw new AuthorityRequestError(response.status, code, `${method} ${path}: ${response.status} ${code}: ${message}${field ? ` (field ${field})` : ''}`, field);
    }
    const headerRevision = Number(response.headers[REVISION_HEADER]);
    const revision = typeof answer.revision === 'number' ? answer.revision : headerRevision;
    return { ...(answer as T), revision };
  }
}
