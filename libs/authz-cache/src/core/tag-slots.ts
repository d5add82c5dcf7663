import { RESOURCE_TAG_PREFIX } from '@iam/contracts';

/**
 * The index slots a tag occupies. Plain tags occupy themselves; an `r:` tag
 * also occupies every `:`-prefix of its resource, so an event tag
 * `r:projects:42` finds `r:projects:42` and `r:projects:42:routers:7` with one
 * map lookup (no scan), and never `r:projects:420` (prefixes end at a `:`).
 * This is exactly `tagMatches` from the contracts, turned into a lookup.
 */
export function tagSlots(tag: string, into: string[] = []): string[] {
  forEachSlot(tag, (slot) => into.push(slot));
  return into;
}

/**
 * The one home of the resource-tag prefix walk: calls `visit` with each
 * `:`-prefix of an `r:` tag's resource (`r:projects`, `r:projects:42`, ...)
 * and then with the tag itself; a plain tag is visited alone.
 */
export function forEachSlot(tag: string, visit: (slot: string) => void): void {
  if (tag.startsWith(RESOURCE_TAG_PREFIX)) {
    let at = tag.indexOf(':', RESOURCE_TAG_PREFIX.length);
    while (at !== -1) {
      // An empty segment (`r:a::b`) would give a prefix no event names; still harmless.
      visit(tag.slice(0, at));
      at = tag.indexOf(':', at + 1);
    }
  }
  visit(tag);
}

/** The distinct slots of a tag list. */
export function slotsOf(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) tagSlots(tag, out);
  return out.length > 1 ? [...new Set(out)] : out;
}

/**
 * `slotsOf(tags).length` without building the list when no two tags can
 * share a slot (at most one `r:` tag, no tag twice: the common case), as
 * the tag index counts slots on every add and remove.
 */
export function slotCountOf(tags: readonly string[]): number {
  if (tags.length > 16) return slotsOf(tags).length;
  let resourceTags = 0;
  let count = 0;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i];
    for (let j = 0; j < i; j++) if (tags[j] === tag) return slotsOf(tags).length;
    count++;
    if (tag.startsWith(RESOURCE_TAG_PREFIX)) {
      if (++resourceTags > 1) return slotsOf(tags).length;
      for (let at = tag.indexOf(':', RESOURCE_TAG_PREFIX.length); at !== -1; at = tag.indexOf(':', at + 1)) count++;
    }
  }
  return count;
}
