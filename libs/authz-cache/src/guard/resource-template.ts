/** Placeholders look like `{name}`; names are route parameter names. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** What a filled-in route parameter may contain: one resource segment, no pattern characters. */
const SEGMENT = /^[A-Za-z0-9._@+-]{1,200}$/;

/** Thrown when a route parameter cannot be a resource segment (the guard answers 400). */
export class ResourceParamError extends Error {
  override readonly name = 'ResourceParamError';
  constructor(readonly param: string) {
    super(`route parameter '${param}' is not a valid resource segment`);
  }
}

/** Validates a template at decoration time: non-empty, `:`-separated, placeholders well formed. */
export function assertResourceTemplate(template: string): void {
  if (typeof template !== 'string' || template.trim() === '') throw new Error('RequirePermission: resourceTemplate must be a non-empty string');
  const stripped = template.replace(PLACEHOLDER, 'x');
  if (/[{}]/.test(stripped)) throw new Error(`RequirePermission: malformed placeholder in '${template}'`);
  if (stripped.split(':').some((segment) => segment === '')) throw new Error(`RequirePermission: empty segment in '${template}'`);
}

/**
 * Fills `{param}` from route params. A value that is not a single plain
 * segment (contains `:`, `*`, spaces, ...) is refused, so a caller cannot
 * widen or redirect the checked resource through a URL parameter.
 */
export function fillResourceTemplate(template: string, params: Record<string, string | undefined>): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = params[name];
    if (value === undefined || !SEGMENT.test(value)) throw new ResourceParamError(name);
    return value;
  });
}
