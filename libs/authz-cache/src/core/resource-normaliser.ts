/**
 * How a resource becomes part of a decision key. Coarser keys mean fewer
 * entries and more sharing, at the price of asking the authority about the
 * normalised resource rather than the exact one (the cached answer is shared
 * by every resource that normalises to the same string).
 */
export type ResourceNormaliser = (resource: string) => string;

/** The default: the full resource is the key (exact answers, most entries). */
export const keepFullResource: ResourceNormaliser = (resource) => resource;

/**
 * MLP-style granularity: keep the first `n` `:`-separated segments
 * (`firstSegments(2)('projects:42:routers:7') === 'projects:42'`).
 * Resources with fewer segments are kept whole. `n` must be a positive integer.
 */
export function firstSegments(n: number): ResourceNormaliser {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`firstSegments: n must be a positive integer, got ${String(n)}`);
  }
  return (resource) => {
    let at = -1;
    for (let i = 0; i < n; i++) {
      at = resource.indexOf(':', at + 1);
      if (at === -1) return resource;
    }
    return resource.slice(0, at);
  };
}
