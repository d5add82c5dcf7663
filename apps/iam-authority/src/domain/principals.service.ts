import { principalTag, tokenTag } from '@iam/contracts';
import { Database } from '../storage/database';
import { PrincipalRecord, PrincipalsRepository } from '../storage/principals.repository';
import { conflict, invalid, notFound } from './errors';
import { assertPrincipalId, assertTokenId } from './identifiers';
import { MutationRunner } from './mutation-runner';
import { mintToken } from './tokens';

/** A principal as the API shows it. */
export type PrincipalView = PrincipalRecord;

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
    private readonly repo = new PrincipalsRepository(),
  ) {}

  /** Creates a principal; 409 when it exists. */
  create(actor: string, input: { id: string; displayName?: string }) {
    const id = assertPrincipalId(input.id, 'id');
    if (input.displayName !== undefined && (typeof input.displayName !== 'string' || input.displayName.length > 256)) {
      throw invalid('displayName', 'displayName must be a string of at most 256 characters');
    }
    return this.runner.mutate({ actor, op: 'principal.create', target: id }, async (tx) => {
      if (!(await this.repo.insert(tx, id, input.displayName ?? null))) throw conflict(`principal '${id}' already exists`, 'id');
      const view = await this.repo.find(tx, id);
      return {
        result: view!,
        event: { type: 'principal.created', tags: [principalTag(id)], payload: { principalId: id, displayName: input.displayName } },
      };
    });
  }

  /** Every principal, by id. */
  list(): Promise<PrincipalView[]> {
    return this.repo.list(this.db);
  }

  /** One principal with its groups; 404 when missing. */
  async get(rawId: string): Promise<PrincipalView> {
    const id = assertPrincipalId(rawId, 'id');
    const view = await this.repo.find(this.db, id);
    if (!view) throw notFound('principal', id, 'id');
    return view;
  }

  /** Disables a principal: its checks deny and its tokens stop resolving. */
  disable(actor: string, rawId: string) {
    const id = assertPrincipalId(rawId, 'id');
    return this.runner.mutate({ actor, op: 'principal.disable', target: id }, async (tx) => {
      if (!(await this.repo.disable(tx, id))) throw notFound('principal', id, 'id');
      const view = await this.repo.find(tx, id);
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
      if (!(await this.repo.exists(tx, id, true))) throw notFound('principal', id, 'id');
      const tokenIds = await this.repo.tokenIdsOf(tx, id);
      // Other subjects' answers do not depend on who else a policy names, so p: and tok: cover everything.
      await this.repo.delete(tx, id);
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
      const disabled = await this.repo.isDisabled(tx, principal);
      if (disabled === null) throw notFound('principal', principal, 'id');
      if (disabled) throw conflict(`principal '${principal}' is disabled`, 'id');
      const expiresAt = await this.repo.insertToken(tx, { id: minted.tokenId, principalId: principal, secretHash: minted.secretHash, ttlSeconds: ttl ?? null });
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
      const token = await this.repo.lockToken(tx, tokenId);
      if (!token) throw notFound('token', tokenId, 'tokenId');
      if (token.revoked) throw conflict(`token '${tokenId}' is already revoked`, 'tokenId');
      await this.repo.revokeToken(tx, tokenId);
      const principal = token.principalId;
      const view: TokenView & { revoked: true } = { tokenId, principal, expiresAt: token.expiresAt, revoked: true };
      return { result: view, event: { type: 'token.revoked', tags: [tokenTag(tokenId)], payload: { tokenId, principalId: principal } } };
    });
  }
}
