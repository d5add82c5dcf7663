import { EffectivePolicy, evaluate } from './evaluator';
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

describe('evaluate', () => {
  const allow = (id: string, actions: string[], resources: string[]): EffectivePolicy => ({ id, effect: 'allow', actions, resources });
  const deny = (id: string, actions: string[], resources: string[]): EffectivePolicy => ({ id, effect: 'deny', actions, resources });

  it('denies by default', () => {
    expect(evaluate([], 'routers.read', 'projects:1')).toEqual({ allowed: false, decidedBy: null });
  });

  it('allows on a matching allow', () => {
    expect(evaluate([allow('a', ['routers.*'], ['projects:**'])], 'routers.read', 'projects:1:routers:2')).toEqual({ allowed: true, decidedBy: 'a' });
  });

  it('lets an explicit deny beat any allow, whatever the order', () => {
    const policies = [allow('a', ['*'], ['**']), deny('d', ['routers.delete'], ['projects:42:*']), allow('b', ['routers.delete'], ['projects:42:routers'])];
    expect(evaluate(policies, 'routers.delete', 'projects:42:routers')).toEqual({ allowed: false, decidedBy: 'd' });
    expect(evaluate([...policies].reverse(), 'routers.delete', 'projects:42:routers')).toEqual({ allowed: false, decidedBy: 'd' });
    // The deny does not reach what it does not match.
    expect(evaluate(policies, 'routers.read', 'projects:42:routers').allowed).toBe(true);
    expect(evaluate(policies, 'routers.delete', 'projects:43:routers').allowed).toBe(true);
  });

  it('needs both the action and the resource to match', () => {
    const policies = [allow('a', ['routers.read'], ['projects:1'])];
    expect(evaluate(policies, 'routers.write', 'projects:1').allowed).toBe(false);
    expect(evaluate(policies, 'routers.read', 'projects:2').allowed).toBe(false);
  });
});
