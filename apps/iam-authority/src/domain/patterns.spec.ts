import { actionMatches, resourceMatches } from './patterns';

describe('actionMatches', () => {
  it.each([
    ['routers.read', 'routers.read', true],
    ['*', 'models.deploy', true],
    ['routers.*', 'routers.read', true],
    ['routers.*', 'routers.a.b', true],
    ['routers.*', 'routers', false],
    ['routers.*', 'routersx.read', false],
    ['routers.read', 'routers.write', false],
    ['routers.read', 'routers.read.all', false],
  ])('%s covers %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});

describe('resourceMatches', () => {
  it.each([
    ['projects:42', 'projects:42', true],
    ['projects:42', 'projects:42:routers:7', false],
    ['projects:42:*', 'projects:42:routers', true],
    ['projects:42:*', 'projects:42:routers:7', false],
    ['projects:42:*', 'projects:42', false],
    ['projects:*:routers:*', 'projects:42:routers:7', true],
    ['projects:**', 'projects', true],
    ['projects:**', 'projects:42:routers:7', true],
    ['projects:**', 'projectsx:1', false],
    ['**', 'anything:at:all', true],
    ['projects:**:models:*', 'projects:1:2:models:9', true],
    ['projects:**:models:*', 'projects:models:9', true],
    ['projects:**:models:*', 'projects:1:models', false],
    ['projects:4', 'projects:42', false],
  ])('%s covers %s: %s', (pattern, resource, expected) => {
    expect(resourceMatches(pattern, resource)).toBe(expected);
  });
});
