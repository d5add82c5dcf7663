import { assertResourceTemplate, fillResourceTemplate, ResourceParamError } from './resource-template';

describe('resource templates', () => {
  it('fills placeholders from route params', () => {
    expect(fillResourceTemplate('projects:{project}:routers:{id}', { project: '42', id: '7' })).toBe('projects:42:routers:7');
    expect(fillResourceTemplate('projects', {})).toBe('projects');
  });

  it.each(['42:routers', '*', '**', '', 'a b', '4/2'])('refuses the parameter value %j (it would change the resource)', (value) => {
    expect(() => fillResourceTemplate('projects:{project}', { project: value })).toThrow(ResourceParamError);
  });

  it('refuses a missing parameter', () => {
    expect(() => fillResourceTemplate('projects:{project}', {})).toThrow(ResourceParamError);
  });

  it.each(['', 'projects::x', 'projects:{id', 'projects:{}'])('refuses the malformed template %j at decoration time', (template) => {
    expect(() => assertResourceTemplate(template)).toThrow(/RequirePermission/);
  });
});
