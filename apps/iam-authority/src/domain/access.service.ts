import { CheckRequest, CheckResult, groupTag, policyTag, principalTag, ResolvedIdentity, resourceTag, tokenTag } from '@iam/contracts';
import { Database, Queryable, toIso, toNumber, toStringArray } from '../storage/database';
import { AuthorityError, invalid } from './errors';
import { assertConcreteResource } from './concrete-resource';
import { assertAction, assertPrincipalId } from './identifiers';
import { EffectivePolicy, evaluate } from './evaluator';
import { hashSecret, parseToken, secretMatches } from './tokens';

/** A check answer plus the deciding policy (kept out of the wire answer, for logs). */
export interface CheckOutcome extends CheckResult {
  decidedBy: string | null;
}

/** Hash compared against when a token id is unknown, so both paths cost the same. */
const DUMMY_HASH = hashSecret('not-a-secret');

/**
 * The read side: `check` and `resolveIdentity`, each evaluated in ONE
 * snapshot (a repeatable-read transaction that reads the revision first), so
 * the revision returned is exactly the state the answer reflects.
 */
export class AccessService {
  constructor(private readonly db: Database) {}

  /**
   * May `principal` do `action` on `resource`? Unknown or disabled principals
   * are denied; an explicit deny beats an allow; default deny.
   * @throws AuthorityError REVISION_NOT_REACHED when `atLeastRevision` is ahead of the current revision.
   */
  async check(request: CheckRequest): Promise<CheckOutcome> {
    const principal = assertPrincipalId(request?.principal, 'principal');
    const action = assertAction(request.action, 'action');
    const resource = assertConcreteResource(request.resource, 'resource');
    const atLeast = request.atLeastRevision;
    if (atLeast !== undefined && atLeast !== null && (!Number.isSafeInteger(atLeast) || atLeast < 0)) {
      throw invalid('atLeastRevision', 'atLeastRevision must be a non-negative integer');
    }
    return this.db.transaction(async (tx) => {
      const revision = await readRevision(tx, atLeast ?? undefined);
      const tags = [principalTag(principal), resourceTag(resource)];
      const rows = await tx.query<{ disabled: boolean }>('SELECT disabled FROM principals WHERE id = $1', [principal]);
      if (rows.length === 0 || rows[0].disabled) return { allowed: false, revision, tags, decidedBy: null };
      const groups = await groupsOf(tx, principal);
      tags.push(...groups.map(groupTag));
      const policies = await tx.query<{ id: string; effect: 'allow' | 'deny'; actions: unknown; role_actions: unknown; resources: unknown }>(
        `SELECT p.id, p.effect, p.actions, r.actions AS role_actions, p.resources
           FROM policies p LEFT JOIN roles r ON r.id = p.role
          WHERE p.subjects ?| $1::text[]
          ORDER BY p.id`,
        [[principal, ...groups]],
      );
      const effective: EffectivePolicy[] = policies.map((row) => ({
        id: row.id,
        effect: row.effect,
        actions: toStringArray(row.actions ?? row.role_actions),
        resources: toStringArray(row.resources),
      }));
      tags.push(...effective.map((policy) => policyTag(policy.id)));
      const { allowed, decidedBy } = evaluate(effective, action, resource);
      return { allowed, revision, tags, decidedBy };
    }, 'repeatable read');
  }

  /**
   * Resolves a bearer token to its principal. Unknown, malformed, expired,
   * revoked, or of a disabled principal: TOKEN_INVALID, the same answer for
   * each (no hint which).
   */
  async resolveIdentity(token: unknown): Promise<ResolvedIdentity> {
    const parsed = parseToken(token);
    if (!parsed) throw tokenInvalid();
    return this.db.transaction(async (tx) => {
      const revision = await readRevision(tx);
      const rows = await tx.query<{ secret_hash: string; principal_id: string; expires_at: unknown; revoked_at: unknown; disabled: boolean }>(
        `SELECT t.secret_hash, t.principal_id, t.expires_at, t.revoked_at, p.disabled
           FROM tokens t JOIN principals p ON p.id = t.principal_id WHERE t.id = $1`,
        [parsed.tokenId],
      );
      const row = rows[0];
      const matches = secretMatches(parsed.secret, row?.secret_hash ?? DUMMY_HASH);
      if (!row || !matches || row.revoked_at || row.disabled) throw tokenInvalid();
      const expiresAt = toIso(row.expires_at);
      if (expiresAt !== null && Date.parse(expiresAt) <= Date.now()) throw tokenInvalid();
      const groups = await groupsOf(tx, row.principal_id);
      return {
        principal: row.principal_id,
        groups,
        tokenId: parsed.tokenId,
        expiresAt,
        revision,
        tags: [tokenTag(parsed.tokenId), principalTag(row.principal_id), ...groups.map(groupTag)],
      };
    }, 'repeatable read');
  }

  /** The current revision. */
  async currentRevision(): Promise<number> {
    return readRevision(this.db);
  }
}

function tokenInvalid(): AuthorityError {
  return new AuthorityError('TOKEN_INVALID', 'token is not valid (unknown, expired or revoked)');
}

async function readRevision(q: Queryable, atLeast?: number): Promise<number> {
  const [row] = await q.query<{ value: unknown }>('SELECT value FROM revision WHERE id = 1');
  const revision = toNumber(row.value);
  if (atLeast !== undefined && atLeast > revision) {
    throw new AuthorityError('REVISION_NOT_REACHED', `revision ${atLeast} is not reached yet (current revision ${revision})`, 'atLeastRevision', revision);
  }
  return revision;
}

async function groupsOf(q: Queryable, principal: string): Promise<string[]> {
  const rows = await q.query<{ group_id: string }>('SELECT group_id FROM group_members WHERE principal_id = $1 ORDER BY group_id', [principal]);
  return rows.map((row) => row.group_id);
}
