import { CheckRequest, CheckResult, groupTag, principalTag, ResolvedIdentity, tokenTag } from '@iam/contracts';
import { IdentityRepository } from '../storage/identity.repository';
import { AuthorityError, invalid } from './errors';
import { assertConcreteResource } from './concrete-resource';
import { assertAction, assertPrincipalId } from './identifiers';
import { ModelFollower } from './model-follower';
import { hashSecret, parseToken, secretMatches } from './tokens';

/** A check answer plus the deciding policy (kept out of the wire answer, for logs). */
export interface CheckOutcome extends CheckResult {
  decidedBy: string | null;
}

/** Options of {@link AccessService}. */
export interface AccessServiceOptions {
  /** How long a check waits for the model to reach `atLeastRevision` (or an acknowledged revision) before REVISION_NOT_REACHED (ms). Default 100. */
  revisionWaitMs?: number;
}

/** Hash compared against when a token id is unknown, so both paths cost the same. */
const DUMMY_HASH = hashSecret('not-a-secret');

/**
 * The read side. `check` answers from the in-memory model, without SQL: the
 * revision returned is the model's, exactly the state the answer reflects;
 * never below `atLeastRevision` nor below a revision this replica
 * acknowledged (it waits briefly for the model, else REVISION_NOT_REACHED).
 * `resolveIdentity` reads the token in one database snapshot (tokens stay
 * in the database; only their hashes are stored).
 */
export class AccessService {
  private readonly revisionWaitMs: number;

  constructor(
    private readonly follower: ModelFollower,
    private readonly identities: IdentityRepository,
    options: AccessServiceOptions = {},
  ) {
    this.revisionWaitMs = options.revisionWaitMs ?? 100;
  }

  /**
   * May `principal` do `action` on `resource`? Unknown or disabled principals
   * are denied; an explicit deny beats an allow; default deny.
   * @throws AuthorityError REVISION_NOT_REACHED when the model does not reach `atLeastRevision` within the wait.
   */
  async check(request: CheckRequest): Promise<CheckOutcome> {
    const principal = assertPrincipalId(request?.principal, 'principal');
    const action = assertAction(request.action, 'action');
    const resource = assertConcreteResource(request.resource, 'resource');
    const atLeast = request.atLeastRevision;
    if (atLeast !== undefined && atLeast !== null && (!Number.isSafeInteger(atLeast) || atLeast < 0)) {
      throw invalid('atLeastRevision', 'atLeastRevision must be a non-negative integer');
    }
    const required = Math.max(atLeast ?? 0, this.follower.acknowledged);
    if (this.follower.revision < required && !(await this.follower.waitFor(required, this.revisionWaitMs))) {
      const revision = this.follower.revision;
      throw new AuthorityError('REVISION_NOT_REACHED', `revision ${required} is not reached yet (current revision ${revision})`, 'atLeastRevision', revision);
    }
    return this.follower.model.check(principal, action, resource);
  }

  /**
   * Resolves a bearer token to its principal. Unknown, malformed, expired,
   * revoked, or of a disabled principal: TOKEN_INVALID, the same answer for
   * each (no hint which).
   */
  async resolveIdentity(token: unknown): Promise<ResolvedIdentity> {
    const parsed = parseToken(token);
    if (!parsed) throw tokenInvalid();
    const { revision, token: stored } = await this.identities.findToken(parsed.tokenId);
    const matches = secretMatches(parsed.secret, stored?.secretHash ?? DUMMY_HASH);
    if (!stored || !matches || stored.revoked || stored.principalDisabled) throw tokenInvalid();
    if (stored.expiresAt !== null && Date.parse(stored.expiresAt) <= Date.now()) throw tokenInvalid();
    return {
      principal: stored.principalId,
      groups: stored.groups,
      tokenId: parsed.tokenId,
      expiresAt: stored.expiresAt,
      revision,
      tags: [tokenTag(parsed.tokenId), principalTag(stored.principalId), ...stored.groups.map(groupTag)],
    };
  }
}

function tokenInvalid(): AuthorityError {
  return new AuthorityError('TOKEN_INVALID', 'token is not valid (unknown, expired or revoked)');
}
