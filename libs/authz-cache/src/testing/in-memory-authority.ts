import type { CheckRequest, CheckResult, ResolvedIdentity } from '@iam/contracts';
import type { AuthorityClient } from '../authority/authority-client';
import { AuthorityUnavailableError, RevisionNotReachedError } from '../errors';

/**
 * The one in-memory {@link AuthorityClient} of the unit specs: it allows
 * every check unless told otherwise, knows the tokens it is given, records
 * what it was asked, and can fail the way the real clients do. (Integration
 * tests use test/support/stand-in-authority.ts, over real NATS and HTTP.)
 * Not part of the package: `src/**\/testing/**` is left out of the build.
 */
export class InMemoryAuthority implements AuthorityClient {
  readonly transport = 'nats' as const;
  /** The revision every answer states. */
  revision = 5;
  /** What every check answers. */
  allowed = true;
  /** Every call fails with {@link AuthorityUnavailableError} (the authority is unreachable). */
  down = false;
  /** The next N checks fail with {@link RevisionNotReachedError}. */
  notReachedTimes = 0;
  /** A lagging read path: answers without atLeastRevision reflect one revision less. */
  lagging = false;
  /** Every check request, in order. */
  readonly checks: CheckRequest[] = [];
  /** Every identity request, in order. */
  readonly identityRequests: Array<{ token: string; atLeastRevision: number | undefined }> = [];
  private readonly tokens = new Map<string, { principal: string; tokenId: string }>();

  /** Checks asked so far. */
  get checkCalls(): number {
    return this.checks.length;
  }

  /** Identity resolutions asked so far. */
  get identityCalls(): number {
    return this.identityRequests.length;
  }

  /** Makes `token` resolve to `principal` (any other token is unknown: `null`). */
  knowToken(token: string, principal: string, tokenId: string): void {
    this.tokens.set(token, { principal, tokenId });
  }

  async check(request: CheckRequest): Promise<CheckResult> {
    this.checks.push(request);
    if (this.down) throw new AuthorityUnavailableError('down');
    if (this.notReachedTimes > 0) {
      this.notReachedTimes -= 1;
      throw new RevisionNotReachedError(request.atLeastRevision ?? 0, this.revision);
    }
    const revision = this.lagging && request.atLeastRevision === undefined ? this.revision - 1 : this.revision;
    return { allowed: this.allowed, revision, tags: [`p:${request.principal}`] };
  }

  async resolveIdentity(token: string, atLeastRevision?: number): Promise<ResolvedIdentity | null> {
    this.identityRequests.push({ token, atLeastRevision });
    if (this.down) throw new AuthorityUnavailableError('down');
    const known = this.tokens.get(token);
    if (!known) return null;
    return {
      principal: known.principal,
      groups: [],
      tokenId: known.tokenId,
      expiresAt: null,
      revision: this.revision,
      tags: [`tok:${known.tokenId}`, `p:${known.principal}`],
    };
  }
}
