/*
 * Matching of policy actions and resource patterns (pure functions).
 */

/**
 * Whether a policy action covers a requested action: equal, `*` (everything),
 * or `prefix.*` (everything below `prefix`, e.g. `routers.*` covers
 * `routers.read` and `routers.a.b` but not `routers` itself nor `routersx.read`).
 */
export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*' || pattern === action) return true;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1); // keeps the dot
    return action.startsWith(prefix) && action.length > prefix.length;
  }
  return false;
}

/**
 * Whether a resource pattern covers a resource. Segments are `:`-separated;
 * `*` matches exactly one segment, `**` zero or more; any other segment
 * matches itself only.
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  return matchSegments(pattern.split(':'), 0, resource.split(':'), 0);
}

function matchSegments(pattern: string[], p: number, resource: string[], r: number): boolean {
  while (p < pattern.length) {
    const segment = pattern[p];
    if (segment === '**') {
      // Collapse runs of `**`, then try every split point (patterns are short).
      while (p + 1 < pattern.length && pattern[p + 1] === '**') p += 1;
      if (p === pattern.length - 1) return true;
      for (let skip = r; skip <= resource.length; skip += 1) {
        if (matchSegments(pattern, p + 1, resource, skip)) return true;
      }
      return false;
    }
    if (r >= resource.length) return false;
    if (segment !== '*' && segment !== resource[r]) return false;
    p += 1;
    r += 1;
  }
  return r === resource.length;
}
