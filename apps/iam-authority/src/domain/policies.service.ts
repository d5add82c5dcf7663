import { randomBytes } from 'node:crypto';
import { groupTag, policyTag, principalTag } from '@iam/contracts';
import { Database, Queryable } from '../storage/database';
import { GroupsRepository } from '../storage/groups.repository';
import { PoliciesRepository, PolicyRecord } from '../storage/policies.repository';
import { PrincipalsRepository } from '../storage/principals.repository';
import { conflict, invalid, notFound } from './errors';
import { assertAction, assertList, assertPolicyId, assertResource, assertRoleId, assertSubject, GROUP_ID } from './identifiers';
import { MutationRunner } from './mutation-runner';

/** A role: a named set of actions. */
export interface RoleView {
  id: string;
  actions: string[];
}

/** A policy as the API shows it. */
export type PolicyView = PolicyRecord;

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
    private readonly repo = new PoliciesRepository(),
    private readonly principals = new PrincipalsRepository(),
    private readonly groups = new GroupsRepository(),
  ) {}

  /** Creates a role; 409 when it exists. Tags: none (no policy references a new role). */
  createRole(actor: string, input: { id: string; actions: string[] }) {
    const id = assertRoleId(input.id, 'id');
    const actions = assertList(input.actions, 'actions', assertAction);
    return this.runner.mutate({ actor, op: 'role.create', target: id }, async (tx) => {
      if (!(await this.repo.insertRole(tx, id, actions))) throw conflict(`role '${id}' already exists`, 'id');
      return { result: { id, actions } as RoleView, event: { type: 'role.created', tags: [], payload: { roleId: id, actions } } };
    });
  }

  /** Replaces a role's actions. Tags: every policy referencing the role. */
  updateRole(actor: string, rawId: string, input: { actions: string[] }) {
    const id = assertRoleId(rawId, 'id');
    const actions = assertList(input.actions, 'actions', assertAction);
    return this.runner.mutate({ actor, op: 'role.update', target: id }, async (tx) => {
      if (!(await this.repo.updateRole(tx, id, actions))) throw notFound('role', id, 'id');
      const policyIds = await this.repo.policyIdsOfRole(tx, id);
      return {
        result: { id, actions } as RoleView,
        event: { type: 'role.updated', tags: policyIds.map(policyTag), payload: { roleId: id, actions } },
      };
    });
  }

  /** Deletes a role and every policy referencing it. Tags: those policies. */
  deleteRole(actor: string, rawId: string) {
    const id = assertRoleId(rawId, 'id');
    return this.runner.mutate({ actor, op: 'role.delete', target: id }, async (tx) => {
      if ((await this.repo.findRole(tx, id, true)) === null) throw notFound('role', id, 'id');
      const policyIds = await this.repo.deleteRole(tx, id);
      return {
        result: { id, deleted: true, policyIds },
        event: { type: 'role.deleted', tags: policyIds.map(policyTag), payload: { roleId: id, policyIds } },
      };
    });
  }

  /** One role; 404 when missing. */
  async getRole(rawId: string): Promise<RoleView> {
    const id = assertRoleId(rawId, 'id');
    const actions = await this.repo.findRole(this.db, id);
    if (actions === null) throw notFound('role', id, 'id');
    return { id, actions };
  }

  /** Creates a policy with a generated id. Tags: the policy and each subject. */
  createPolicy(actor: string, input: PolicyInput) {
    const policy = validatePolicy(input);
    const id = `pol_${randomBytes(8).toString('hex')}`;
    return this.runner.mutate({ actor, op: 'policy.create', target: id }, async (tx) => {
      await this.assertReferencesExist(tx, policy);
      const view: PolicyView = { id, ...policy };
      await this.repo.insertPolicy(tx, view);
      return { result: view, event: { type: 'policy.created', tags: [policyTag(id), ...policy.subjects.map(subjectTag)], payload: { policyId: id, ...policy } } };
    });
  }

  /** Replaces a policy. Tags: the policy and each subject before and after. */
  updatePolicy(actor: string, rawId: string, input: PolicyInput) {
    const id = assertPolicyId(rawId, 'id');
    const policy = validatePolicy(input);
    return this.runner.mutate({ actor, op: 'policy.update', target: id }, async (tx) => {
      const before = await this.repo.findPolicy(tx, id, true);
      if (!before) throw notFound('policy', id, 'id');
      await this.assertReferencesExist(tx, policy);
      const view: PolicyView = { id, ...policy };
      await this.repo.updatePolicy(tx, view);
      const tags = [policyTag(id), ...before.subjects.map(subjectTag), ...policy.subjects.map(subjectTag)];
      return { result: view, event: { type: 'policy.updated', tags, payload: { policyId: id, ...policy } } };
    });
  }

  /** Deletes a policy. Tags: the policy and each subject. */
  deletePolicy(actor: string, rawId: string) {
    const id = assertPolicyId(rawId, 'id');
    return this.runner.mutate({ actor, op: 'policy.delete', target: id }, async (tx) => {
      const before = await this.repo.findPolicy(tx, id, true);
      if (!before) throw notFound('policy', id, 'id');
      await this.repo.deletePolicy(tx, id);
      return {
        result: { id, deleted: true },
        event: { type: 'policy.deleted', tags: [policyTag(id), ...before.subjects.map(subjectTag)], payload: { policyId: id } },
      };
    });
  }

  /** One policy; 404 when missing. */
  async getPolicy(rawId: string): Promise<PolicyView> {
    const id = assertPolicyId(rawId, 'id');
    const policy = await this.repo.findPolicy(this.db, id);
    if (!policy) throw notFound('policy', id, 'id');
    return policy;
  }

  /** Every policy, by id. */
  listPolicies(): Promise<PolicyView[]> {
    return this.repo.listPolicies(this.db);
  }

  /** Subjects and the role must exist: a policy never names nothing (deletes remove references too). */
  private async assertReferencesExist(tx: Queryable, policy: Omit<PolicyView, 'id'>): Promise<void> {
    if (policy.role && (await this.repo.findRole(tx, policy.role)) === null) throw notFound('role', policy.role, 'role');
    for (const [index, subject] of policy.subjects.entries()) {
      const isGroup = GROUP_ID.test(subject);
      const exists = isGroup ? await this.groups.exists(tx, subject) : await this.principals.exists(tx, subject);
      if (!exists) throw notFound(isGroup ? 'group' : 'principal', subject, `subjects.${index}`);
    }
  }
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
