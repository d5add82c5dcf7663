import { Database, toIso, toNumber } from './database';

/** A token row with what `resolveIdentity` needs about its principal. */
export interface StoredToken {
  secretHash: string;
  principalId: string;
  expiresAt: string | null;
  revoked: boolean;
  principalDisabled: boolean;
  /** The principal's groups, by id. */
  groups: string[];
}

/** The SQL of `resolveIdentity`: tokens stay in the database (only hashes, read per call). */
export class IdentityRepository {
  constructor(private readonly db: Database) {}

  /** The token `tokenId` (null when unknown) and the revision, in one repeatable-read snapshot. */
  findToken(tokenId: string): Promise<{ revision: number; token: StoredToken | null }> {
    return this.db.transaction(async (tx) => {
      const [revision] = await tx.query<{ value: unknown }>('SELECT value FROM revision WHERE id = 1');
      const rows = await tx.query<{ secret_hash: string; principal_id: string; expires_at: unknown; revoked_at: unknown; disabled: boolean }>(
        `SELECT t.secret_hash, t.principal_id, t.expires_at, t.revoked_at, p.disabled
           FROM tokens t JOIN principals p ON p.id = t.principal_id WHERE t.id = $1`,
        [tokenId],
      );
      const row = rows[0];
      if (!row) return { revision: toNumber(revision.value), token: null };
      const groups = await tx.query<{ group_id: string }>('SELECT group_id FROM group_members WHERE principal_id = $1 ORDER BY group_id', [row.principal_id]);
      return {
        revision: toNumber(revision.value),
        token: {
          secretHash: row.secret_hash,
          principalId: row.principal_id,
          expiresAt: toIso(row.expires_at),
          revoked: Boolean(row.revoked_at),
          principalDisabled: row.disabled,
          groups: groups.map((group) => group.group_id),
        },
      };
    }, 'repeatable read');
  }
}
