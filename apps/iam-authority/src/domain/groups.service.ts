import { groupTag, principalTag } from '@iam/contracts';
import { Database, Queryable } from '../storage/database';
import { GroupsRepository } from '../storage/groups.repository';
import { PrincipalsRepository } from '../storage/principals.repository';
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
    private readonly repo = new GroupsRepository(),
    private readonly principals = new PrincipalsRepository(),
  ) {}

  /** Creates a group; 409 when it exists. */
  create(actor: string, input: { id: string }) {
    const id = assertGroupId(input.id, 'id');
    return this.runner.mutate({ actor, op: 'group.create', target: id }, async (tx) => {
      if (!(await this.repo.insert(tx, id))) throw conflict(`group '${id}' already exists`, 'id');
      const view: GroupView = { id, members: [] };
      return { result: view, event: { type: 'group.created', tags: [groupTag(id)], payload: { groupId: id } } };
    });
  }

  /** One group with its members; 404 when missing. */
  async get(rawId: string): Promise<GroupView> {
    const id = assertGroupId(rawId, 'id');
    if (!(await this.repo.exists(this.db, id))) throw notFound('group', id, 'id');
    return { id, members: await this.repo.members(this.db, id) };
  }

  /**
   * Deletes a group, its memberships, and its place in policy subjects.
   * Tags: the group and every member it had.
   */
  delete(actor: string, rawId: string) {
    const id = assertGroupId(rawId, 'id');
    return this.runner.mutate({ actor, op: 'group.delete', target: id }, async (tx) => {
      if (!(await this.repo.exists(tx, id, true))) throw notFound('group', id, 'id');
      const members = await this.repo.members(tx, id);
      await this.repo.delete(tx, id);
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
      const result = { groupId, principal: principalId, member: true };
      if (!(await this.repo.addMember(tx, groupId, principalId))) return { result, event: null };
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
      if (!(await this.repo.removeMember(tx, groupId, principalId))) throw notFound('membership', `${groupId} ${principalId}`, 'principal');
      return {
        result: { groupId, principal: principalId, member: false },
        event: { type: 'group.member.removed', tags: [principalTag(principalId), groupTag(groupId)], payload: { groupId, principalId } },
      };
    });
  }

  private async assertBothExist(tx: Queryable, groupId: string, principalId: string): Promise<void> {
    if (!(await this.repo.exists(tx, groupId))) throw notFound('group', groupId, 'id');
    if (!(await this.principals.exists(tx, principalId))) throw notFound('principal', principalId, 'principal');
  }
}
