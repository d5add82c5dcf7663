import { Queryable, toStringArray } from './database';

/** A policy row as the API shows it. */
export interface PolicyRecord {
  id: string;
  subjects: string[];
  role?: string;
  actions?: string[];
  resources: string[];
  effect: 'allow' | 'deny';
}

interface PolicyRow {
  id: string;
  subjects: unknown;
  role: string | null;
  actions: unknown;
  resources: unknown;
  effect: 'allow' | 'deny';
}

/** The SQL of roles and policies (each method runs on the database or a mutation's transaction). */
export class PoliciesRepository {
  /** Inserts a role; false when the id exists. */
  async insertRole(q: Queryable, id: string, actions: string[]): Promise<boolean> {
    return (await q.query('INSERT INTO roles (id, actions) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id', [id, JSON.stringify(actions)])).length > 0;
  }

  /** Replaces a role's actions; false when it does not exist. */
  async updateRole(q: Queryable, id: string, actions: string[]): Promise<boolean> {
    return (await q.query('UPDATE roles SET actions = $2 WHERE id = $1 RETURNING id', [id, JSON.stringify(actions)])).length > 0;
  }

  /** A role's actions, or null when it does not exist; with `lock`, locks its row. */
  async findRole(q: Queryable, id: string, lock = false): Promise<string[] | null> {
    const rows = await q.query<{ actions: unknown }>(`SELECT actions FROM roles WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows.length ? toStringArray(rows[0].actions) : null;
  }

  /** The ids of the policies using a role, sorted. */
  async policyIdsOfRole(q: Queryable, id: string): Promise<string[]> {
    return (await q.query<{ id: string }>('SELECT id FROM policies WHERE role = $1 ORDER BY id', [id])).map((row) => row.id);
  }

  /** Deletes a role and the policies using it; returns their ids, sorted. */
  async deleteRole(q: Queryable, id: string): Promise<string[]> {
    const policies = await q.query<{ id: string }>('DELETE FROM policies WHERE role = $1 RETURNING id', [id]);
    await q.query('DELETE FROM roles WHERE id = $1', [id]);
    return policies.map((row) => row.id).sort();
  }

  /** Inserts a policy. */
  async insertPolicy(q: Queryable, policy: PolicyRecord): Promise<void> {
    await q.query('INSERT INTO policies (id, subjects, role, actions, resources, effect) VALUES ($1, $2, $3, $4, $5, $6)', policyParameters(policy));
  }

  /** Replaces a policy's fields. */
  async updatePolicy(q: Queryable, policy: PolicyRecord): Promise<void> {
    await q.query('UPDATE policies SET subjects = $2, role = $3, actions = $4, resources = $5, effect = $6 WHERE id = $1', policyParameters(policy));
  }

  /** One policy or null; with `lock`, locks its row. */
  async findPolicy(q: Queryable, id: string, lock = false): Promise<PolicyRecord | null> {
    const rows = await q.query<PolicyRow>(`SELECT id, subjects, role, actions, resources, effect FROM policies WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** Every policy, by id. */
  async listPolicies(q: Queryable): Promise<PolicyRecord[]> {
    return (await q.query<PolicyRow>('SELECT id, subjects, role, actions, resources, effect FROM policies ORDER BY id')).map(toRecord);
  }

  /** Deletes a policy. */
  async deletePolicy(q: Queryable, id: string): Promise<void> {
    await q.query('DELETE FROM policies WHERE id = $1', [id]);
  }
}

function toRecord(row: PolicyRow): PolicyRecord {
  const record: PolicyRecord = { id: row.id, subjects: toStringArray(row.subjects), resources: toStringArray(row.resources), effect: row.effect };
  if (row.role) record.role = row.role;
  if (row.actions !== null && row.actions !== undefined) record.actions = toStringArray(row.actions);
  return record;
}

/** The SQL parameters ($1..$6: id, subjects, role, actions, resources, effect) of a policy row. */
function policyParameters(policy: PolicyRecord): unknown[] {
  return [
    policy.id,
    JSON.stringify(policy.subjects),
    policy.role ?? null,
    policy.actions ? JSON.stringify(policy.actions) : null,
    JSON.stringify(policy.resources),
    policy.effect,
  ];
}
