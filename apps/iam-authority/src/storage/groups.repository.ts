import { Queryable } from './database';
import { removeSubjectFromPolicies } from './principals.repository';

/** The SQL of groups and memberships (each method runs on the database or a mutation's transaction). */
export class GroupsRepository {
  /** Inserts a group; false when the id exists. */
  async insert(q: Queryable, id: string): Promise<boolean> {
    return (await q.query('INSERT INTO groups (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id', [id])).length > 0;
  }

  /** Whether the group exists; with `lock`, locks its row for the transaction. */
  async exists(q: Queryable, id: string, lock = false): Promise<boolean> {
    return (await q.query(`SELECT id FROM groups WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).length > 0;
  }

  /** The group's members, sorted. */
  async members(q: Queryable, id: string): Promise<string[]> {
    return (await q.query<{ principal_id: string }>('SELECT principal_id FROM group_members WHERE group_id = $1 ORDER BY principal_id', [id])).map(
      (row) => row.principal_id,
    );
  }

  /** Deletes a group with its memberships, and removes it from every policy's subjects. */
  async delete(q: Queryable, id: string): Promise<void> {
    await removeSubjectFromPolicies(q, id);
    await q.query('DELETE FROM group_members WHERE group_id = $1', [id]);
    await q.query('DELETE FROM groups WHERE id = $1', [id]);
  }

  /** Adds a membership; false when it existed. */
  async addMember(q: Queryable, groupId: string, principalId: string): Promise<boolean> {
    const rows = await q.query('INSERT INTO group_members (group_id, principal_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING group_id', [groupId, principalId]);
    return rows.length > 0;
  }

  /** Removes a membership; false when there was none. */
  async removeMember(q: Queryable, groupId: string, principalId: string): Promise<boolean> {
    const rows = await q.query('DELETE FROM group_members WHERE group_id = $1 AND principal_id = $2 RETURNING group_id', [groupId, principalId]);
    return rows.length > 0;
  }
}
