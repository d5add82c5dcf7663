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
