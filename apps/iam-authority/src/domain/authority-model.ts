import { groupTag, IamEvent, policyTag, principalTag, resourceTag } from '@iam/contracts';
import { compileActionMatcher, compileResourceMatcher, Matcher } from './compiled-patterns';

/** A policy as the model holds it (the role, when any, is expanded at evaluation). */
export interface ModelPolicy {
  id: string;
  effect: 'allow' | 'deny';
  subjects: string[];
  role: string | null;
  actions: string[] | null;
  resources: string[];
}

/** Everything evaluation needs, read in one snapshot at `revision`. */
export interface ModelSnapshot {
  revision: number;
  principals: Array<{ id: string; disabled: boolean }>;
  groups: string[];
  memberships: Array<{ groupId: string; principalId: string }>;
  roles: Array<{ id: string; actions: string[] }>;
  policies: ModelPolicy[];
}

/** A check answered by the model: the decision, its dependency tags, and the deciding policy. */
export interface ModelDecision {
  allowed: boolean;
  revision: number;
  tags: string[];
  decidedBy: string | null;
}

/** A policy compiled for one principal's view: matchers built once, reused by every check. */
interface CompiledPolicy {
  id: string;
  matchesAction: Matcher;
  matchesResource: Matcher;
}

/**
 * What a principal's checks need, derived once per model revision: its
 * groups, the policies that name it or one of its groups (denies and allows
 * apart, each by id), and the dependency tags those imply.
 */
interface PrincipalView {
  enabled: boolean;
  /** `g:` then `pol:` tags, in the order the SQL evaluation gave them. */
  tagTail: string[];
  denies: CompiledPolicy[];
  allows: CompiledPolicy[];
}

/** The view of an unknown or disabled principal. */
const NO_ACCESS: PrincipalView = { enabled: false, tagTail: [], denies: [], allows: [] };

const byId = <T extends { id: string }>(a: T, b: T): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The authority's state in memory, at a known revision: principals, groups,
 * memberships, roles and policies, indexed by subject and by role, plus a
 * per-principal view (groups, compiled policies, tags) built on first use
 * and dropped on every change. Evaluation never touches the database.
 *
 * Changes arrive as the committed outbox events, applied strictly in
 * revision order ({@link apply}). The rules are the SQL ones they replace: deleting a
 * principal or group removes it from memberships and policy subjects;
 * deleting a role deletes the policies that use it.
 */
export class AuthorityModel {
  private revisionValue: number;
  private readonly principals = new Map<string, { disabled: boolean }>();
  private readonly groups = new Set<string>();
  private readonly groupsByPrincipal = new Map<string, Set<string>>();
  private readonly membersByGroup = new Map<string, Set<string>>();
  private readonly roles = new Map<string, string[]>();
  private readonly policies = new Map<string, ModelPolicy>();
  private readonly policiesBySubject = new Map<string, Set<string>>();
  private readonly policiesByRole = new Map<string, Set<string>>();
  private readonly views = new Map<string, PrincipalView>();

  constructor(snapshot: ModelSnapshot) {
    this.revisionValue = snapshot.revision;
    for (const principal of snapshot.principals) this.principals.set(principal.id, { disabled: principal.disabled });
    for (const group of snapshot.groups) this.groups.add(group);
    for (const { groupId, principalId } of snapshot.memberships) this.addMember(groupId, principalId);
    for (const role of snapshot.roles) this.roles.set(role.id, [...role.actions]);
    for (const policy of snapshot.policies) this.putPolicy(policy);
  }

  /** The revision the model reflects. */
  get revision(): number {
    return this.revisionValue;
  }

  /**
   * May `principal` do `action` on `resource`, at {@link revision}? Unknown
   * or disabled: deny, tags `p:` and `r:` only. Otherwise tags are `p:`,
   * `r:`, every group's `g:` and every applicable policy's `pol:`, matching
   * or not (any of them changing may change the answer).
   */
  check(principal: string, action: string, resource: string): ModelDecision {
    const view = this.viewOf(principal);
    const revision = this.revisionValue;
    if (!view.enabled) return { allowed: false, revision, tags: [principalTag(principal), resourceTag(resource)], decidedBy: null };
    const tags = [principalTag(principal), resourceTag(resource), ...view.tagTail];
    for (const policy of view.denies) {
      if (policy.matchesAction(action) && policy.matchesResource(resource)) return { allowed: false, revision, tags, decidedBy: policy.id };
    }
    for (const policy of view.allows) {
      if (policy.matchesAction(action) && policy.matchesResource(resource)) return { allowed: true, revision, tags, decidedBy: policy.id };
    }
    return { allowed: false, revision, tags, decidedBy: null };
  }

  /** The groups of a principal, by id (empty when unknown). */
  groupsOf(principal: string): string[] {
    return [...(this.groupsByPrincipal.get(principal) ?? [])].sort();
  }

  /**
   * Applies the committed event of revision `event.revision`, which must be
   * above {@link revision} (the caller guarantees none is skipped). Events that
   * change nothing the model holds (tokens, flushes) only move the revision.
   * @throws Error when the event is not newer than the model.
   */
  apply(event: IamEvent): void {
    if (event.revision <= this.revisionValue) throw new Error(`event of revision ${event.revision} is not newer than the model (revision ${this.revisionValue})`);
    this.change(event);
    this.revisionValue = event.revision;
    this.views.clear();
  }

  private change(event: IamEvent): void {
    switch (event.type) {
      case 'principal.created':
        this.principals.set(event.payload.principalId, { disabled: false });
        return;
      case 'principal.disabled': {
        const principal = this.principals.get(event.payload.principalId);
        if (principal) principal.disabled = true;
        return;
      }
      case 'principal.deleted': {
        const id = event.payload.principalId;
        for (const group of this.groupsByPrincipal.get(id) ?? []) this.membersByGroup.get(group)?.delete(id);
        this.groupsByPrincipal.delete(id);
        this.removeSubject(id);
        this.principals.delete(id);
        return;
      }
      case 'group.created':
        this.groups.add(event.payload.groupId);
        return;
      case 'group.deleted': {
        const id = event.payload.groupId;
        for (const member of this.membersByGroup.get(id) ?? []) this.groupsByPrincipal.get(member)?.delete(id);
        this.membersByGroup.delete(id);
        this.removeSubject(id);
        this.groups.delete(id);
        return;
      }
      case 'group.member.added':
        this.addMember(event.payload.groupId, event.payload.principalId);
        return;
      case 'group.member.removed':
        this.membersByGroup.get(event.payload.groupId)?.delete(event.payload.principalId);
        this.groupsByPrincipal.get(event.payload.principalId)?.delete(event.payload.groupId);
        return;
      case 'role.created':
      case 'role.updated':
        this.roles.set(event.payload.roleId, [...event.payload.actions]);
        return;
      case 'role.deleted': {
        const id = event.payload.roleId;
        for (const policyId of [...(this.policiesByRole.get(id) ?? [])]) this.deletePolicy(policyId);
        this.roles.delete(id);
        return;
      }
      case 'policy.created':
      case 'policy.updated': {
        const { policyId, subjects, role, actions, resources, effect } = event.payload;
        this.putPolicy({ id: policyId, subjects: [...subjects], role: role ?? null, actions: actions ? [...actions] : null, resources: [...resources], effect });
        return;
      }
      case 'policy.deleted':
        this.deletePolicy(event.payload.policyId);
        return;
      case 'token.created':
      case 'token.revoked':
      case 'resource.deleted':
      case 'cache.flush':
        return;
      default: {
        const unknown: never = event;
        throw new Error(`the model cannot apply an event of type '${(unknown as IamEvent).type}'`);
      }
    }
  }

  private addMember(groupId: string, principalId: string): void {
    let members = this.membersByGroup.get(groupId);
    if (!members) this.membersByGroup.set(groupId, (members = new Set()));
    members.add(principalId);
    let groups = this.groupsByPrincipal.get(principalId);
    if (!groups) this.groupsByPrincipal.set(principalId, (groups = new Set()));
    groups.add(groupId);
  }

  private putPolicy(policy: ModelPolicy): void {
    this.deletePolicy(policy.id);
    const stored: ModelPolicy = { ...policy, subjects: [...new Set(policy.subjects)] };
    this.policies.set(stored.id, stored);
    for (const subject of stored.subjects) indexAdd(this.policiesBySubject, subject, stored.id);
    if (stored.role !== null) indexAdd(this.policiesByRole, stored.role, stored.id);
  }

  private deletePolicy(id: string): void {
    const policy = this.policies.get(id);
    if (!policy) return;
    for (const subject of policy.subjects) indexDelete(this.policiesBySubject, subject, id);
    if (policy.role !== null) indexDelete(this.policiesByRole, policy.role, id);
    this.policies.delete(id);
  }

  /** A deleted principal or group leaves every policy's subjects (the policies stay). */
  private removeSubject(subject: string): void {
    for (const policyId of this.policiesBySubject.get(subject) ?? []) {
      const policy = this.policies.get(policyId)!;
      policy.subjects = policy.subjects.filter((s) => s !== subject);
    }
    this.policiesBySubject.delete(subject);
  }

  private viewOf(principal: string): PrincipalView {
    let view = this.views.get(principal);
    if (!view) {
      // Unknown principals are not remembered: the map stays bounded by the principals that exist.
      if (!this.principals.has(principal)) return NO_ACCESS;
      view = this.buildView(principal);
      this.views.set(principal, view);
    }
    return view;
  }

  private buildView(principal: string): PrincipalView {
    const record = this.principals.get(principal);
    if (!record || record.disabled) return NO_ACCESS;
    const groups = this.groupsOf(principal);
    const ids = new Set<string>(this.policiesBySubject.get(principal) ?? []);
    for (const group of groups) for (const id of this.policiesBySubject.get(group) ?? []) ids.add(id);
    const applicable = [...ids].map((id) => this.policies.get(id)!).sort(byId);
    const denies: CompiledPolicy[] = [];
    const allows: CompiledPolicy[] = [];
    for (const policy of applicable) {
      const actions = policy.actions ?? (policy.role !== null ? (this.roles.get(policy.role) ?? []) : []);
      const compiled = { id: policy.id, matchesAction: compileActionMatcher(actions), matchesResource: compileResourceMatcher(policy.resources) };
      (policy.effect === 'deny' ? denies : allows).push(compiled);
    }
    return { enabled: true, tagTail: [...groups.map(groupTag), ...applicable.map((policy) => policyTag(policy.id))], denies, allows };
  }
}

function indexAdd(index: Map<string, Set<string>>, key: string, value: string): void {
  let values = index.get(key);
  if (!values) index.set(key, (values = new Set()));
  values.add(value);
}

function indexDelete(index: Map<string, Set<string>>, key: string, value: string): void {
  const values = index.get(key);
  if (!values) return;
  values.delete(value);
  if (values.size === 0) index.delete(key);
}
