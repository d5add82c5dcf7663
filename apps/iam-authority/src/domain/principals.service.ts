import { principalTag, tokenTag } from '@iam/contracts';
import { Database, Queryable, toIso } from '../storage/database';
import { conflict, invalid, notFound } from './errors';
import { assertPrincipalId, assertTokenId } from './identifiers';
import { MutationRunner } from './mutation-runner';
import { mintToken } from './tokens';

/** A principal as the API shows it. */
export interface PrincipalView {
  id: string;
  displayName: string | null;
  disabled: boolean;
  createdAt: string;
  groups: string[];
}

/** A token as the API shows it (never the secret, except `token` once at creation). */
export interface TokenView {
  tokenId: string;
  principal: string;
  expiresAt: string | null;
}

/** Longest token lifetime accepted: one year. */
export const MAX_TOKEN_TTL_SECONDS = 365 * 24 * 3600;

/** Principals (users and service accounts) and their API tokens. */
export class PrincipalsService {
  constructor(
    private readonly db: Database,
    private readonly runner: MutationRunner,
  ) {}

  /** Creates a principal; 409 when it exists. */
  create(actor: string, input: { id: string; displayName?: string }) {
    const id = assertPrincipalId(input.id, 'id');
    if (input.displayName !== undefined && (typeof input.displayName !== 'string' || input.displayName.length > 256)) {
      throw invalid('displayName', 'displayName must be a string of at most 256 characters');
    }
    return this.runner.mutate({ actor, op: 'principal.create', target: id }, async (tx) => {
      const inserted = await tx.query(
        'INSERT INTO principals (id, display_name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id',
        [id, input.displayName ?? null],
      );
      if (inserted.length === 0) throw conflict(`principal '${id}' already exists`, 'id');
      const view = await this.load(tx, id);
      return {
        result: view!,
        event: { type: 'principal.created', tags: [principalTag(id)], payload: { principalId: id, displayName: input.displayName } },
      };
    });
  }

  /** Every principal, by id. */
  async list(): Promise<PrincipalView[]> {
    const rows = await this.db.query<{ id: string; display_name: string | null; disabled: boolean; created_at: unknown; groups: unknown }>(
      `SELECT p.id, p.display_name, p.disabled, p.created_at,
              COALESCE((SELECT json_agg(m.group_id ORDER BY m.group_id) FROM group_members m WHERE m.principal_id = p.id), '[]'::json) AS groups
         FROM principals p ORDER BY p.id`,
    );
    return rows.map((row) => toView(row));
  }

  /** One principal with its groups; 404 when missing. */
  async get(rawId: string): Promise<PrincipalView> {
    const id = assertPrincipalId(rawId, 'id');
    const view = await this.load(this.db, id);
    if (!view) throw notFound('principal', id, 'id');
    return view;
  }

  /** Disables a principal: its checks deny and its tokens stop resolving. */
  disable(actor: string, rawId: string) {
    const id = assertPrincipalId(rawId, 'id');
    return this.runner.mutate({ actor, op: 'principal.disable', target: id }, async (tx) => {
      const updated = await tx.query('UPDATE principals SET disabled = true WHERE id = $1 RETURNING id', [id]);
      if (updated.length === 0) throw notFound('principal', id, 'id');
      const view = await this.load(tx, id);
      return { result: view!, event: { type: 'principal.disabled', tags: [principalTag(id)], payload: { principalId: id } } };
    });
  }

  /**
   * Deletes a principal with its tokens and memberships, and removes it from
   * every policy's subjects. Tags: the principal and each of its tokens.
   */
  delete(actor: string, rawId: string) {
    const id = assertPrincipalId(rawId, 'id');
    return this.runner.mutate({ actor, op: 'principal.delete', target: id }, async (tx) => {
      const exists = await tx.query('SELECT id FROM principals WHERE id = $1 FOR UPDATE', [id]);
      if (exists.length === 0) throw notFound('principal', id, 'id');
      const tokens = await tx.query<{ id: string }>('SELECT id FROM tokens WHERE principal_id = $1 ORDER BY id', [id]);
      // Other subjects' answers do not depend on who else a policy names, so p: and tok: cover everything.
      await tx.query(
        `UPDATE policies SET subjects = (SELECT COALESCE(jsonb_agg(s), '[]'::jsonb) FROM jsonb_array_elements(subjects) s WHERE s <> to_jsonb($1::text))
          WHERE subjects ? $1`,
        [id],
      );
      await tx.query('DELETE FROM tokens WHERE principal_id = $1', [id]);
      await tx.query('DELETE FROM group_members WHERE principal_id = $1', [id]);
      await tx.query('DELETE FROM principals WHERE id = $1', [id]);
      const tokenIds = tokens.map((row) => row.id);
      return {
        result: { id, deleted: true, tokenIds },
        event: {
          type: 'principal.deleted',
          tags: [principalTag(id), ...tokenIds.map(tokenTag)],
          payload: { principalId: id, tokenIds },
        },
      };
    });
  }

  /** Mints a token for a principal; the secret is in the answer only. */
  createToken(actor: string, rawId: string, input: { ttlSeconds?: number }) {
    const principal = assertPrincipalId(rawId, 'id');
    const ttl = input.ttlSeconds;
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS)) {
      throw invalid('ttlSeconds', `ttlSeconds must be an integer from 1 to ${MAX_TOKEN_TTL_SECONDS}`);
    }
    const minted = mintToken();
    return this.runner.mutate({ actor, op: 'token.create', target: `${principal} tok:${minted.tokenId}` }, async (tx) => {
      const owner = await tx.query<{ disabled: boolean }>('SELECT disabled FROM principals WHERE id = $1', [principal]);
      if (owner.length === 0) throw notFound('principal', principal, 'id');
      if (owner[0].disabled) throw conflict(`principal '${principal}' is disabled`, 'id');
      const [row] = await tx.query<{ expires_at: unknown }>(
        `INSERT INTO tokens (id, principal_id, secret_hash, expires_at)
         VALUES ($1, $2, $3, CASE WHEN $4::int IS NULL THEN NULL ELSE now() + make_interval(secs => $4::int) END)
         RETURNING expires_at`,
        [minted.tokenId, principal, minted.secretHash, ttl ?? null],
      );
      const expiresAt = toIso(row.expires_at);
      const view: TokenView & { token: string } = { tokenId: minted.tokenId, principal, expiresAt, token: minted.token };
      return {
        result: view,
        event: {
          type: 'token.created',
          tags: [tokenTag(minted.tokenId)],
          payload: { tokenId: minted.tokenId, principalId: principal, ...(expiresAt ? { expiresAt } : {}) },
        },
      };
    });
  }

  /** Revokes a token; 404 when unknown, 409 when already revoked. */
  revokeToken(actor: string, rawTokenId: string) {
    const tokenId = assertTokenId(rawTokenId, 'tokenId');
    return this.runner.mutate({ actor, op: 'token.revoke', target: `tok:${tokenId}` }, async (tx) => {
      const rows = await tx.query<{ principal_id: string; revoked_at: unknown; expires_at: unknown }>(
        'SELECT principal_id, revoked_at, expires_at FROM tokens WHERE id = $1 FOR UPDATE',
        [tokenId],
      );
      if (rows.length === 0) throw notFound('token', tokenId, 'tokenId');
      if (rows[0].revoked_at) throw conflict(`token '${tokenId}' is already revoked`, 'tokenId');
      await tx.query('UPDATE tokens SET revoked_at = now() WHERE id = $1', [tokenId]);
      const principal = rows[0].principal_id;
      const view: TokenView & { revoked: true } = { tokenId, principal, expiresAt: toIso(rows[0].expires_at), revoked: true };
      return { result: view, event: { type: 'token.revoked', tags: [tokenTag(tokenId)], payload: { tokenId, principalId: principal } } };
    });
  }

  private async load(q: Queryable, id: string): Promise<PrincipalView | null> {
    const rows = await q.query<{ id: string; display_name: string | null; disabled: boolean; created_at: unknown; groups: unknown }>(
      `SELECT p.id, p.display_name, p.disabled, p.created_at,
              COALESCE((SELECT json_agg(m.group_id ORDER BY m.group_id) FROM group_members m WHERE m.principal_id = p.id), '[]'::json) AS groups
         FROM principals p WHERE p.id = $1`,
      [id],
    );
    return rows.length ? toView(rows[0]) : null;
  }
}

function toView(row: { id: string; display_name: string | null; disabled: boolean; created_at: unknown; groups: unknown }): PrincipalView {
  const groups = typeof row.groups === 'string' ? (JSON.parse(row.groups) as string[]) : ((row.groups as string[]) ?? []);
  return { id: row.id, displayName: row.display_name, disabled: row.disabled, createdAt: toIso(row.created_at)!, groups };
}
