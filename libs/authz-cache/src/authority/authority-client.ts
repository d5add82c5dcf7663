import type { AuthorityErrorBody, CheckRequest, CheckResult, ResolvedIdentity } from '@iam/contracts';
import { AuthorityRejectedError, AuthorityUnavailableError, RevisionNotReachedError } from '../errors';

/**
 * The authority's read API as the cache module sees it, whatever the
 * transport. Errors are typed:
 * - {@link AuthorityUnavailableError}: network, timeout, no responders, server failure;
 * - {@link RevisionNotReachedError}: `atLeastRevision` is ahead of the authority;
 * - {@link AuthorityRejectedError}: the authority refused (e.g. a wrong service token).
 * An unknown, expired or revoked token is not an error: `resolveIdentity` gives `null`.
 */
export interface AuthorityClient {
  /** Which transport this is ('nats' | 'http'), for logs and metrics. */
  readonly transport: 'nats' | 'http';
  check(request: CheckRequest, signal?: AbortSignal): Promise<CheckResult>;
  /**
   * `atLeastRevision` is used to map a REVISION_NOT_REACHED answer; it is not
   * sent (the contract's request is `{token}`: the authority always answers
   * from its latest committed state).
   */
  resolveIdentity(token: string, atLeastRevision?: number, signal?: AbortSignal): Promise<ResolvedIdentity | null>;
}

/** Injection token of the module's {@link AuthorityClient}. */
export const AUTHORITY_CLIENT = Symbol('AUTHORITY_CLIENT');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of a check answer (the authority is trusted, but a broken answer must not be cached). */
export function asCheckResult(value: unknown): CheckResult {
  if (
    isObject(value) &&
    typeof value.allowed === 'boolean' &&
    Number.isInteger(value.revision) &&
    Array.isArray(value.tags) &&
    value.tags.every((t) => typeof t === 'string')
  ) {
    return { allowed: value.allowed, revision: value.revision as number, tags: value.tags as string[] };
  }
  throw new AuthorityUnavailableError('the authority answered check with an unexpected shape');
}

/** Checks the shape of an identity answer. */
export function asResolvedIdentity(value: unknown): ResolvedIdentity {
  if (
    isObject(value) &&
    typeof value.principal === 'string' &&
    Array.isArray(value.groups) &&
    typeof value.tokenId === 'string' &&
    (value.expiresAt === null || typeof value.expiresAt === 'string') &&
    Number.isInteger(value.revision) &&
    Array.isArray(value.tags)
  ) {
    return {
      principal: value.principal,
      groups: value.groups as string[],
      tokenId: value.tokenId,
      expiresAt: value.expiresAt as string | null,
      revision: value.revision as number,
      tags: value.tags as string[],
    };
  }
  throw new AuthorityUnavailableError('the authority answered identity resolution with an unexpected shape');
}

/**
 * Maps an authority error body to the module's typed errors. TOKEN_INVALID is
 * handled by the callers (it means `null`), never here.
 */
export function authorityError(body: Partial<AuthorityErrorBody> | undefined, wantedRevision: number | undefined): Error {
  const code = typeof body?.code === 'string' ? body.code : 'INTERNAL';
  if (code === 'REVISION_NOT_REACHED') {
    return new RevisionNotReachedError(wantedRevision ?? 0, typeof body?.revision === 'number' ? body.revision : undefined);
  }
  if (code === 'INTERNAL') return new AuthorityUnavailableError('the authority failed to answer (INTERNAL)');
  // The authority's message is about our request (e.g. a bad field), never a secret of ours.
  const message = typeof body?.message === 'string' ? body.message.slice(0, 300) : 'refused';
  return new AuthorityRejectedError(code, `the authority refused the request: ${code}: ${message}`);
}
