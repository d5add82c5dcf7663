import { Queryable, toIso } from './database';

/** A principal row with its groups. */
export interface PrincipalRecord {
  id: string;
  displayName: string | null;
  disabled: boolean;
  createdAt: string;
  groups: string[];
}

/** A token row (never the secret; the hash stays in SQL). */
export interface TokenRecord {
  principalId: string;
  revoked: boolean;
  expiresAt: string | null;
}

const PRINCIPAL_COLUMNS = `p.id, p.display_name, p.disabled, p.created_at,
  COALESCE((SELECT json_agg(m.group_id ORDER BY m.group_id) FROM group_members m WHERE m.principal_id = p.id), '[]'::json) AS groups`;

type PrincipalRow = { id: string; display_name: string | null; disabled: boolean; created_at: unknown; groups: unknown };

/**
 * The SQL of principals and their tokens. Every method takes the
 * {@link Queryable} to run on: the database, or the mutation's transaction.
 */
export class PrincipalsRepository {
  /** Inserts a principal; false when the id exists. */
  async insert(q: Queryable, id: string, displayName: string | null): Promise<boolean> {
    const rows = await q.query('INSERT INTO principals (id, display_name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id', [id, displayName]);
    return rows.length > 0;
  }

  /** One principal with its groups, or null. */
  async find(q: Queryable, id: string): Promise<PrincipalRecord | null> {
    const rows = await q.query<PrincipalRow>(`SELECT ${PRINCIPAL_COLUMNS} FROM principals p WHERE p.id = $1`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** Every principal, by id. */
  async list(q: Queryable): Promise<PrincipalRecord[]> {
    return (await q.query<PrincipalRow>(`SELECT ${PRINCIPAL_COLUMNS} FROM principals p ORDER BY p.id`)).map(toRecord);
  }

  /** Whether the principal exists; with `lock`, locks its row for the transaction. */
  async exists(q: Queryable, id: string, lock = false): Promise<boolean> {
    return (await q.query(`SELECT id FROM principals WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).length > 0;
  }

  /** Whether the principal is disabled; null when it does not exist. */
  async isDisabled(q: Queryable, id: string): Promise<boolean | null> {
    const rows = await q.query<{ disabled: boolean }>('SELECT disabled FROM principals WHERE id = $1', [id]);
    return rows.length ? rows[0].disabled : null;
  }

  /** Disables a principal; false when it does not exist. */
  async disable(q: Queryable, id: string): Promise<boolean> {
    return (await q.query('UPDATE principals SET disabled = true WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  /** The ids of the principal's tokens, sorted. */
  async tokenIdsOf(q: Queryable, id: string): Promise<string[]> {
    return (await q.query<{ id: string }>('SELECT id FROM tokens WHERE principal_id = $1 ORDER BY id', [id])).map((row) => row.id);
  }

  /** Deletes a principal with its tokens and memberships, and removes it from every policy's subjects. */
  async delete(q: Queryable, id: string): Promise<void> {
    await removeSubjectFromPolicies(q, id);
    await q.query('DELETE FROM tokens WHERE principal_id = $1', [id]);
    await q.query('DELETE FROM group_members WHERE principal_id = $1', [id]);
    await q.query('DELETE FROM principals WHERE id = $1', [id]);
  }

  /** Inserts a token (expiry `ttlSeconds` from the database's now, or none); returns its expiry. */
  async insertToken(q: Queryable, token: { id: string; principalId: string; secretHash: string; ttlSeconds: number | null }): Promise<string | null> {
    const [row] = await q.query<{ expires_at: unknown }>(
      `INSERT INTO tokens (id, principal_id, secret_hash, expires_at)
       VALUES ($1, $2, $3, CASE WHEN $4::int IS NULL THEN NULL ELSE now() + make_interval(secs => $4::int) END)
       RETURNING expires_at`,
      [token.id, token.principalId, token.secretHash, token.ttlSeconds],
    );
    return toIso(row.expires_at);
  }

  /** A token, its row locked for the transaction; null when unknown. */
  async lockToken(q: Queryable, tokenId: string): Promise<TokenRecord | null> {
    const rows = await q.query<{ principal_id: string; revoked_at: unknown; expires_at: unknown }>(
      'SELECT principal_id, revoked_at, expires_at FROM tokens WHERE id = $1 FOR UPDATE',
      [tokenId],
    );
    return rows.length ? { principalId: rows[0].principal_id, revoked: Boolean(rows[0].revoked_at), expiresAt: toIso(rows[0].expires_at) } : null;
  }

  /** Marks a token revoked now. */
  async revokeToken(q: Queryable, tokenId: string): Promise<void> {
    await q.query('UPDATE tokens SET revoked_at = now() WHERE id = $1', [tokenId]);
  }
}

/** Removes a principal or group from every policy's subjects (the policies stay). */
export async function removeSubjectFromPolicies(q: Queryable, subject: string): Promise<void> {
  await q.query(
    `UPDATE policies SET subjects = (SELECT COALESCE(jsonb_agg(s), '[]'::jsonb) FROM jsonb_array_elements(subjects) s WHERE s <> to_jsonb($1::text))
      WHERE subjects ? $1`,
    [subject],
  );
}

function toRecord(row: PrincipalRow): PrincipalRecord {
  const groups = typeof row.groups === 'string' ? (JSON.parse(row.groups) as string[]) : ((row.groups as string[]) ?? []);
  return { id: row.id, displayName: row.display_name, disabled: row.disabled, createdAt: toIso(row.created_at)!, groups };
}
