import { randomBytes } from 'node:crypto';
import { groupTag, policyTag, principalTag } from '@iam/contracts';
import { Database, Queryable, toStringArray } from '../storage/database';
import { conflict, invalid, notFound } from './errors';
import { assertAction, assertList, assertPolicyId, assertResource, assertRoleId, assertSubject, GROUP_ID } from './identifiers';
import { MutationRunner } from './mutation-runner';

/** A role: a named set of actions. */
export interface RoleView {
  id: string;
  actions: string[];
}

/** A policy as the API shows it. */
export interface PolicyView {
  id: string;
  subjects: string[];
  role?: string;
  actions?: string[];
  resources: string[];
  effect: 'allow' | 'deny';
}

/** Body of a policy create or replace. */
export interface PolicyInput {
  subjects: string[];
  role?: string;
  actions?: string[];
  resources: string[];
  effect: 'allow' | 'deny';
}

const subjectTag = (subject: string): string => (GROUP_ID.test(subject) ? groupTag(subject) : principalTag(subject));

/** Roles and policies. */
export class PoliciesService {
  constructor(
    private readonly db: Database,
    private readonly runner: MutationRunner,
  ) {}

  /** Creates a role; 409 when it exists. Tags: none (no policy references a new role). */
  createRole(actor: string, input: { id: string; actions: string[] }) {
    const id = assertRoleId(input.id, 'id');
    const actions = assertList(input.actions, 'actions', assertAction);
    return this.runner.mutate({ actor, op: 'role.create', target: id }, async (tx) => {
      const inserted = await tx.query('INSERT INTO roles (id, actions) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id', [id, JSON.stringify(actions)]);
      if (inserted.length === 0) throw conflict(`role '${id}' already exists`, 'id');
      return { result: { id, actions } as RoleView, event: { type: 'role.created', tags: [], payload: { roleId: id, actions } } };
    });
  }

  /** Replaces a role's actions. Tags: every policy referencing the role. */
  updateRole(actor: string, rawId: string, input: { actions: string[] }) {
    const id = assertRoleId(rawId, 'id');
    const actions = assertList(input.actions, 'actions', assertAction);
    return this.runner.mutate({ actor, op: 'role.update', target: id }, async (tx) => {
      const updated = await tx.query('UPDATE roles SET actions = $2 WHERE id = $1 RETURNING id', [id, JSON.stringify(actions)]);
      if (updated.length === 0) throw notFound('role', id, 'id');
      const policies = await tx.query<{ id: string }>('SELECT id FROM policies WHERE role = $1 ORDER BY id', [id]);
      return {
        result: { id, actions } as RoleView,
        event: { type: 'role.updated', tags: policies.map((row) => policyTag(row.id)), payload: { roleId: id, actions } },
      };
    });
  }

  /** Deletes a role and every policy referencing it. Tags: those policies. */
  deleteRole(actor: string, rawId: string) {
    const id = assertRoleId(rawId, 'id');
    return this.runner.mutate({ actor, op: 'role.delete', target: id }, async (tx) => {
      const exists = await tx.query('SELECT id FROM roles WHERE id = $1 FOR UPDATE', [id]);
      if (exists.length === 0) throw notFound('role', id, 'id');
      const policies = await tx.query<{ id: string }>('DELETE FROM policies WHERE role = $1 RETURNING id', [id]);
      await tx.query('DELETE FROM roles WHERE id = $1', [id]);
      const policyIds = policies.map((row) => row.id).sort();
      return {
        result: { id, deleted: true, policyIds },
        event: { type: 'role.deleted', tags: policyIds.map(policyTag), payload: { roleId: id, policyIds } },
      };
    });
  }

  /** One role; 404 when missing. */
  async getRole(rawId: string): Promise<RoleView> {
    const id = assertRoleId(rawId, 'id');
    const rows = await this.db.query<{ id: string; actions: unknown }>('SELECT id, actions FROM roles WHERE id = $1', [id]);
    if (rows.length === 0) throw notFound('role', id, 'id');
    return { id, actions: toStringArray(rows[0].actions) };
  }

  /** Creates a policy with a generated id. Tags: the policy and each subject. */
  createPolicy(actor: string, input: PolicyInput) {
    const policy = validatePolicy(input);
    const id = `pol_${randomBytes(8).toString('hex')}`;
    return this.runner.mutate({ actor, op: 'policy.create', target: id }, async (tx) => {
      await assertReferencesExist(tx, policy);
      await tx.query('INSERT INTO policies (id, subjects, role, actions, resources, effect) VALUES ($1, $2, $3, $4, $5, $6)', policyRow(id, policy));
      const view: PolicyView = { id, ...policy };
      return { result: view, event: { type: 'policy.created', tags: [policyTag(id), ...policy.subjects.map(subjectTag)], payload: { policyId: id, ...policy } } };
    });
  }

  /** Replaces a policy. Tags: the policy and each subject before and after. */
  updatePolicy(actor: string, rawId: string, input: PolicyInput) {
    const id = assertPolicyId(rawId, 'id');
    const policy = validatePolicy(input);
    return this.runner.mutate({ actor, op: 'policy.update', target: id }, async (tx) => {
      const before = await loadPolicy(tx, id, true);
      if (!before) throw notFound('policy', id, 'id');
      await assertReferencesExist(tx, policy);
      await tx.query('UPDATE policies SET subjects = $2, role = $3, actions = $4, resources = $5, effect = $6 WHERE id = $1', policyRow(id, policy));
      const view: PolicyView = { id, ...policy };
      const tags = [policyTag(id), ...before.subjects.map(subjectTag), ...policy.subjects.map(subjectTag)];
      return { result: view, event: { type: 'policy.updated', tags, payload: { policyId: id, ...policy } } };
    });
  }

  /** Deletes a policy. Tags: the policy and each subject. */
  deletePolicy(actor: string, rawId: string) {
    const id = assertPolicyId(rawId, 'id');
    return this.runner.mutate({ actor, op: 'policy.delete', target: id }, async (tx) => {
      const before = await loadPolicy(tx, id, true);
      if (!before) throw notFound('policy', id, 'id');
      await tx.query('DELETE FROM policies WHERE id = $1', [id]);
      return {
        result: { id, deleted: true },
        event: { type: 'policy.deleted', tags: [policyTag(id), ...before.subjects.map(subjectTag)], payload: { policyId: id } },
      };
    });
  }

  /** One policy; 404 when missing. */
  async getPolicy(rawId: string): Promise<PolicyView> {
    const id = assertPolicyId(rawId, 'id');
    const policy = await loadPolicy(this.db, id, false);
    if (!policy) throw notFound('policy', id, 'id');
    return policy;
  }

  /** Every policy, by id. */
  async listPolicies(): Promise<PolicyView[]> {
    const rows = await this.db.query<PolicyRow>('SELECT id, subjects, role, actions, resources, effect FROM policies ORDER BY id');
    return rows.map(toPolicyView);
  }
}

interface PolicyRow {
  id: string;
  subjects: unknown;
  role: string | null;
  actions: unknown;
  resources: unknown;
  effect: 'allow' | 'deny';
}

function toPolicyView(row: PolicyRow): PolicyView {
  const view: PolicyView = { id: row.id, subjects: toStringArray(row.subjects), resources: toStringArray(row.resources), effect: row.effect };
  if (row.role) view.role = row.role;
  if (row.actions !== null && row.actions !== undefined) view.actions = toStringArray(row.actions);
  return view;
}

async function loadPolicy(q: Queryable, id: string, lock: boolean): Promise<PolicyView | null> {
  const rows = await q.query<PolicyRow>(`SELECT id, subjects, role, actions, resources, effect FROM policies WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows.length ? toPolicyView(rows[0]) : null;
}

/** Domain validation of a policy body (the DTO checks shapes; RPC-free, but kept for every caller). */
function validatePolicy(input: PolicyInput): Omit<PolicyView, 'id'> {
  const subjects = assertList(input.subjects, 'subjects', assertSubject);
  const resources = assertList(input.resources, 'resources', assertResource);
  if (input.effect !== 'allow' && input.effect !== 'deny') throw invalid('effect', "effect must be 'allow' or 'deny'");
  const hasRole = input.role !== undefined && input.role !== null;
  const hasActions = input.actions !== undefined && input.actions !== null;
  if (hasRole === hasActions) throw invalid(hasRole ? 'actions' : 'role', 'exactly one of role or actions must be given');
  const policy: Omit<PolicyView, 'id'> = { subjects, resources, effect: input.effect };
  if (hasRole) policy.role = assertRoleId(input.role, 'role');
  else policy.actions = assertList(input.actions, 'actions', assertAction);
  return policy;
}

/** Subjects and the role must exist: a policy never names nothing (deletes remove references too). */
async function assertReferencesExist(tx: Queryable, policy: Omit<PolicyView, 'id'>): Promise<void> {
  if (policy.role && (await tx.query('SELECT id FROM roles WHERE id = $1', [policy.role])).length === 0) throw notFound('role', policy.role, 'role');
  for (const [index, subject] of policy.subjects.entries()) {
    const table = GROUP_ID.test(subject) ? 'groups' : 'principals';
    if ((await tx.query(`SELECT id FROM ${table} WHERE id = $1`, [subject])).length === 0) {
      throw notFound(table === 'groups' ? 'group' : 'principal', subject, `subjects.${index}`);
    }
  }
}

/** The SQL parameters ($1..$6: id, subjects, role, actions, resources, effect) of a policy row. */
function policyRow(id: string, policy: Omit<PolicyView, 'id'>): unknown[] {
  return [
    id,
    JSON.stringify(policy.subjects),
    policy.role ?? null,
    policy.actions ? JSON.stringify(policy.actions) : null,
    JSON.stringify(policy.resources),
    policy.effect,
  ];
}
