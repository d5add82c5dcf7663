import { RESOURCE_TAG_PREFIX } from '@iam/contracts';

/**
 * The index slots a tag occupies. Plain tags occupy themselves; an `r:` tag
 * also occupies every `:`-prefix of its resource, so an event tag
 * `r:projects:42` finds `r:projects:42` and `r:projects:42:routers:7` with one
 * map lookup (no scan), and never `r:projects:420` (prefixes end at a `:`).
 * This is exactly `tagMatches` from the contracts, turned into a lookup.
 */
export function tagSlots(tag: string, into: string[] = []): string[] {
  if (!tag.startsWith(RESOURCE_TAG_PREFIX)) {
    into.push(tag);
    return into;
  }
  let at = tag.indexOf(':', RESOURCE_TAG_PREFIX.length);
  while (at !== -1) {
    // An empty segment (`r:a::b`) would give a prefix no event names; still harmless.
    into.push(tag.slice(0, at));
    at = tag.indexOf(':', at + 1);
  }
  into.push(tag);
  return into;
}

/** The distinct slots of a tag list. */
export function slotsOf(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) tagSlots(tag, out);
  return out.length > 1 ? [...new Set(out)] : out;
}
