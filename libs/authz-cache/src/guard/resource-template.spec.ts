import fc from 'fast-check';
import { assertResourceTemplate, compileResourceTemplate, fillResourceTemplate, ResourceParamError } from './resource-template';

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

/** The fill as it was written before compilation (a regex replace): the compiled template must answer exactly as it does. */
function referenceFill(template: string, params: Record<string, string | undefined>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined || !/^[A-Za-z0-9._@+-]{1,200}$/.test(value)) throw new ResourceParamError(name);
    return value;
  });
}

describe('compiled resource templates', () => {
  const name = fc.constantFrom('project', 'id', 'org', 'x_1');
  const literal = fc.stringMatching(/^[a-z0-9:]{0,8}$/);
  const template = fc
    .array(fc.tuple(literal, fc.option(name, { nil: undefined })), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.map(([text, param]) => (param === undefined ? text : `${text}{${param}}`)).join(''));
  const value = fc.oneof(fc.constantFrom('42', 'r7', 'a.b', 'x@y', '', '*', '**', 'a:b', 'a b', 'é', 'x'.repeat(201)), fc.string({ maxLength: 6 }));
  const params = fc.dictionary(name, value, { maxKeys: 4 });

  it('fill exactly as the regex replace did, refusing the same parameter first', () => {
    fc.assert(
      fc.property(template, params, (t, p) => {
        const outcome = (fill: () => string) => {
          try {
            return { resource: fill() };
          } catch (error) {
            return { refused: (error as ResourceParamError).param };
          }
        };
        const filler = compileResourceTemplate(t);
        expect(outcome(() => filler(p))).toEqual(outcome(() => referenceFill(t, p)));
      }),
      { numRuns: 2000 },
    );
  });
});
