import { EventType, PayloadOf } from './events';

/**
 * One valid payload per event type. Used by this lib's tests and by other
 * suites that need a well-formed event of each type.
 */
export const SAMPLE_PAYLOADS: { [T in EventType]: PayloadOf<T> } = {
  'principal.created': { principalId: 'user:ada@example.com', displayName: 'Ada' },
  'principal.disabled': { principalId: 'user:ada@example.com' },
  'principal.deleted': { principalId: 'user:ada@example.com', tokenIds: ['t1', 't2'] },
  'group.created': { groupId: 'group:eng' },
  'group.deleted': { groupId: 'group:eng', members: ['user:ada@example.com'] },
  'group.member.added': { groupId: 'group:eng', principalId: 'user:ada@example.com' },
  'group.member.removed': { groupId: 'group:eng', principalId: 'user:ada@example.com' },
  'role.created': { roleId: 'router-admin', actions: ['routers.read', 'routers.write'] },
  'role.updated': { roleId: 'router-admin', actions: ['routers.read'] },
  'role.deleted': { roleId: 'router-admin', policyIds: ['pol-1'] },
  'policy.created': { policyId: 'pol-1', subjects: ['group:eng'], role: 'router-admin', resources: ['projects:42:*'], effect: 'allow' },
  'policy.updated': { policyId: 'pol-1', subjects: ['user:ada@example.com'], actions: ['models.read'], resources: ['projects:**'], effect: 'deny' },
  'policy.deleted': { policyId: 'pol-1' },
  'token.created': { tokenId: 't1', principalId: 'sa:ci', expiresAt: '2030-01-01T00:00:00.000Z' },
  'token.revoked': { tokenId: 't1', principalId: 'sa:ci' },
  'resource.deleted': { resource: 'projects:42' },
  'cache.flush': { scope: 'principal', principal: 'user:ada@example.com', reason: 'incident 7' },
};
