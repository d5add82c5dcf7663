import { actionMatches, resourceMatches } from './patterns';

/** A compiled test of one value against a policy's list of patterns. */
export type Matcher = (value: string) => boolean;

/**
 * Compiles a policy's actions into one test: exact actions in a set, `*`
 * once, `prefix.*` patterns kept apart. Same answers as `actionMatches` over
 * the list (which stays the one definition of the rule).
 */
export function compileActionMatcher(patterns: readonly string[]): Matcher {
  if (patterns.includes('*')) return () => true;
  const exact = new Set<string>();
  const wildcards: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('.*')) wildcards.push(pattern);
    else exact.add(pattern);
  }
  if (wildcards.length === 0) return (action) => exact.has(action);
  return (action) => exact.has(action) || wildcards.some((pattern) => actionMatches(pattern, action));
}

/**
 * Compiles a policy's resource patterns into one test: patterns without `*`
 * segments in a set (exact match), the others behind a literal-prefix filter
 * (the segments before the first wildcard, a necessary condition) and then
 * `resourceMatches`, the one definition of the rule.
 */
export function compileResourceMatcher(patterns: readonly string[]): Matcher {
  const exact = new Set<string>();
  const wildcards: Array<{ pattern: string; prefix: string }> = [];
  for (const pattern of patterns) {
    const segments = pattern.split(':');
    const firstWildcard = segments.findIndex((segment) => segment === '*' || segment === '**');
    if (firstWildcard === -1) exact.add(pattern);
    else wildcards.push({ pattern, prefix: segments.slice(0, firstWildcard).join(':') });
  }
  if (wildcards.length === 0) return (resource) => exact.has(resource);
  return (resource) => exact.has(resource) || wildcards.some(({ pattern, prefix }) => resource.startsWith(prefix) && resourceMatches(pattern, resource));
}
