import { groupTag, principalTag } from '@iam/contracts';
import { Database } from '../storage/database';
import { conflict, notFound } from './errors';
import { assertGroupId, assertPrincipalId } from './identifiers';
import { MutationRunner } from './mutation-runner';

/** A group as the API shows it. */
export interface GroupView {
  id: string;
  members: string[];
}

/** Groups and memberships. */
export class GroupsService {
  constructor(
    private readonly db: Database,
    private readonly runner: MutationRunner,
  ) {}

  /** Creates a group; 409 when it exists. */
  create(actor: string, input: { id: string }) {
    const id = assertGroupId(input.id, 'id');
    return this.runner.mutate({ actor, op: 'group.create', target: id }, async (tx) => {
      const inserted = await tx.query('INSERT INTO groups (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id', [id]);
      if (inserted.length === 0) throw conflict(`group '${id}' already exists`, 'id');
      const view: GroupView = { id, members: [] };
      return { result: view, event: { type: 'group.created', tags: [groupTag(id)], payload: { groupId: id } } };
    });
  }

  /** One group with its members; 404 when missing. */
  async get(rawId: string): Promise<GroupView> {
    const id = assertGroupId(rawId, 'id');
    const group = await this.db.query('SELECT id FROM groups WHERE id = $1', [id]);
    if (group.length === 0) throw notFound('group', id, 'id');
    const members = await this.db.query<{ principal_id: string }>('SELECT principal_id FROM group_members WHERE group_id = $1 ORDER BY principal_id', [id]);
    return { id, members: members.map((row) => row.principal_id) };
  }

  /**
   * Deletes a group, its memberships, and its place in policy subjects.
   * Tags: the group and every member it had.
   */
  delete(actor: string, rawId: string) {
    const id = assertGroupId(rawId, 'id');
    return this.runner.mutate({ actor, op: 'group.delete', target: id }, async (tx) => {
      const exists = await tx.query('SELECT id FROM groups WHERE id = $1 FOR UPDATE', [id]);
      if (exists.length === 0) throw notFound('group', id, 'id');
      const members = (
        await tx.query<{ principal_id: string }>('SELECT principal_id FROM group_members WHERE group_id = $1 ORDER BY principal_id', [id])
      ).map((row) => row.principal_id);
      await tx.query(
        `UPDATE policies SET subjects = (SELECT COALESCE(jsonb_agg(s), '[]'::jsonb) FROM jsonb_array_elements(subjects) s WHERE s <> to_jsonb($1::text))
          WHERE subjects ? $1`,
        [id],
      );
      await tx.query('DELETE FROM group_members WHERE group_id = $1', [id]);
      await tx.query('DELETE FROM groups WHERE id = $1', [id]);
      return {
        result: { id, deleted: true, members },
        event: { type: 'group.deleted', tags: [groupTag(id), ...members.map(principalTag)], payload: { groupId: id, members } },
      };
    });
  }

  /** Adds a member (PUT semantics: adding a member twice changes nothing and emits nothing). */
  addMember(actor: string, rawGroup: string, rawPrincipal: string) {
    const groupId = assertGroupId(rawGroup, 'id');
    const principalId = assertPrincipalId(rawPrincipal, 'principal');
    return this.runner.mutate({ actor, op: 'group.member.add', target: `${groupId} ${principalId}` }, async (tx) => {
      await this.assertBothExist(tx, groupId, principalId);
      const inserted = await tx.query(
        'INSERT INTO group_members (group_id, principal_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING group_id',
        [groupId, principalId],
      );
      const result = { groupId, principal: principalId, member: true };
      if (inserted.length === 0) return { result, event: null };
      return {
        result,
        event: { type: 'group.member.added', tags: [principalTag(principalId), groupTag(groupId)], payload: { groupId, principalId } },
      };
    });
  }

  /** Removes a member; 404 when it is not one. */
  removeMember(actor: string, rawGroup: string, rawPrincipal: string) {
    const groupId = assertGroupId(rawGroup, 'id');
    const principalId = assertPrincipalId(rawPrincipal, 'principal');
    return this.runner.mutate({ actor, op: 'group.member.remove', target: `${groupId} ${principalId}` }, async (tx) => {
      await this.assertBothExist(tx, groupId, principalId);
      const deleted = await tx.query('DELETE FROM group_members WHERE group_id = $1 AND principal_id = $2 RETURNING group_id', [groupId, principalId]);
      if (deleted.length === 0) throw notFound('membership', `${groupId} ${principalId}`, 'principal');
      return {
        result: { groupId, principal: principalId, member: false },
        event: { type: 'group.member.removed', tags: [principalTag(principalId), groupTag(groupId)], payload: { groupId, principalId } },
      };
    });
  }

  private async assertBothExist(tx: { query: Database['query'] }, groupId: string, principalId: string): Promise<void> {
    if ((await tx.query('SELECT id FROM groups WHERE id = $1', [groupId])).length === 0) throw notFound('group', groupId, 'id');
    if ((await tx.query('SELECT id FROM principals WHERE id = $1', [principalId])).length === 0) throw notFound('principal', principalId, 'principal');
  }
}
