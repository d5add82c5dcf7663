/**
 * Invalidation tags (surrogate keys). The authority returns, with every
 * answer, the tags the answer depended on; every event carries the tags of
 * the answers it can change. A cache busts the entries whose tags intersect
 * an event's tags; `r:` tags also match by prefix (see {@link tagMatches}).
 */
export type TagKind = 'p' | 'g' | 'pol' | 'r' | 'tok';

/** Tag of a principal (`user:<email>` or `sa:<name>`). */
export const principalTag = (principalId: string): string => `p:${principalId}`;
/** Tag of a group membership. */
export const groupTag = (groupId: string): string => `g:${groupId}`;
/** Tag of a policy that was considered for an answer. */
export const policyTag = (policyId: string): string => `pol:${policyId}`;
/** Tag of the resource an answer is about. */
export const resourceTag = (resource: string): string => `r:${resource}`;
/** Tag of an API token. */
export const tokenTag = (tokenId: string): string => `tok:${tokenId}`;

/** Prefix shared by every resource tag; resource tags match by prefix. */
export const RESOURCE_TAG_PREFIX = 'r:';

/**
 * Whether an event tag busts an entry tag. Equal tags match; an `r:` event
 * tag also matches every entry tag for the resource and its descendants
 * (`r:projects:42` busts `r:projects:42:routers:7`, not `r:projects:420`).
 */
export function tagMatches(eventTag: string, entryTag: string): boolean {
  if (eventTag === entryTag) return true;
  if (!eventTag.startsWith(RESOURCE_TAG_PREFIX) || !entryTag.startsWith(eventTag)) return false;
  return entryTag.charAt(eventTag.length) === ':';
}
