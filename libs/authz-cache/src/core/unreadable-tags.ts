import { groupTag, policyTag, principalTag, UnreadableEvent } from '@iam/contracts';

const MAX_DEPTH = 4;

function collect(value: unknown, out: Set<string>, depth: number): void {
  if (typeof value === 'string') {
    if (value.startsWith('user:') || value.startsWith('sa:')) out.add(principalTag(value));
    else if (value.startsWith('group:')) out.add(groupTag(value));
    else if (/^pol_[0-9a-f]{16}$/.test(value)) out.add(policyTag(value));
    return;
  }
  if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return;
  for (const item of Array.isArray(value) ? value : Object.values(value)) collect(item, out, depth + 1);
}

/**
 * What an event this version cannot read (unknown type, higher version)
 * could touch: its envelope tags, plus `p:`/`g:`/`pol:` tags of every id found
 * in its payload (principals, groups, policy ids). An empty result means
 * "cannot tell": the caller flushes everything.
 */
export function unreadableEventTags(event: UnreadableEvent): string[] {
  const out = new Set<string>(Array.isArray(event.tags) ? event.tags : []);
  collect(event.payload, out, 0);
  return [...out];
}
