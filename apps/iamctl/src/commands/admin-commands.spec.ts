import { UsageError } from '../errors';
import { grantPolicy, parseList } from './admin-commands';

describe('grantPolicy', () => {
  it('binds a role on resources', () => {
    expect(grantPolicy({ subject: 'user:ada@example.com', role: 'router-admin', resource: ['projects:42:**'] })).toEqual({
      subjects: ['user:ada@example.com'],
      role: 'router-admin',
      resources: ['projects:42:**'],
      effect: 'allow',
    });
  });

  it('grants or denies plain actions', () => {
    expect(grantPolicy({ subject: 'group:eng', actions: 'models.read, models.deploy', resource: ['projects:*'], deny: true })).toEqual({
      subjects: ['group:eng'],
      actions: ['models.read', 'models.deploy'],
      resources: ['projects:*'],
      effect: 'deny',
    });
  });

  it.each([
    [{ role: 'r', resource: ['x'] }, '--subject'],
    [{ subject: 'sa:ci', resource: ['x'] }, 'exactly one of --role'],
    [{ subject: 'sa:ci', role: 'r', actions: 'a', resource: ['x'] }, 'exactly one of --role'],
    [{ subject: 'sa:ci', role: 'r' }, '--resource'],
  ])('refuses %j as a usage error', (flags, message) => {
    expect(() => grantPolicy(flags)).toThrow(UsageError);
    expect(() => grantPolicy(flags)).toThrow(message);
  });
});

describe('parseList', () => {
  it('refuses empty items', () => {
    expect(parseList('--actions', 'a,b')).toEqual(['a', 'b']);
    expect(() => parseList('--actions', 'a,,b')).toThrow(UsageError);
  });
});
