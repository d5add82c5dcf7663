import { RESOURCE_TAG_PREFIX } from '@iam/contracts';
import { slotsOf } from './tag-slots';

/** What the index needs of an entry: its tags, and a field it owns to remember it indexed the entry. */
export interface IndexableEntry {
  /** Replaced on {@link EntryTagIndex.add} by the interned (shared) tag strings. */
  tags: readonly string[];
  /** Index generation the entry is indexed in (0: not indexed); owned by the index. */
  indexedIn: number;
}

/**
 * The entries holding one tag. `tag` is the one string instance every entry
 * with this tag shares. `r:` slots form a tree by `:`-prefix (`r:a` is the
 * parent of `r:a:b`), so an event on a resource reaches its descendants
 * without every entry being a member of each of its prefixes. A slot of a
 * single entry holds it in a field: a Set (~100 B empty) is made only for
 * the second one (most `p:` and `tok:` tags of identities have one entry).
 */
class Slot<T> {
  private one: T | undefined;
  private many: Set<T> | undefined;
  children: Set<Slot<T>> | undefined;
  constructor(
    readonly tag: string,
    readonly parent: Slot<T> | undefined,
  ) {}

  get size(): number {
    return this.many !== undefined ? this.many.size : this.one !== undefined ? 1 : 0;
  }

  add(entry: T): void {
    if (this.many !== undefined) this.many.add(entry);
    else if (this.one === undefined) this.one = entry;
    else if (this.one !== entry) {
      this.many = new Set([this.one, entry]);
      this.one = undefined;
    }
  }

  /** Returns whether `entry` was held. */
  delete(entry: T): boolean {
    if (this.many !== undefined) {
      const held = this.many.delete(entry);
      if (this.many.size <= 1) {
        this.one = this.many.values().next().value;
        this.many = undefined;
      }
      return held;
    }
    if (this.one !== entry) return false;
    this.one = undefined;
    return true;
  }

  /** Calls `f` on each entry. */
  forEach(f: (entry: T) => void): void {
    if (this.many !== undefined) this.many.forEach((e) => f(e));
    else if (this.one !== undefined) f(this.one);
  }
}

/**
 * Tag -> entries index (surrogate keys) of one cache, holding the entries
 * themselves (no key strings, no per-entry record). It also interns tags:
 * {@link add} replaces an entry's tag strings by the slot's own string, so a
 * tag shared by a million entries is held once; a slot (and its string) is
 * freed when its last entry and its last child leave.
 *
 * Memory: one Set membership (~10-20 B) per tag of each entry, plus one
 * slot (~50 B, and a Set once it holds two entries) and one string per
 * distinct tag or `r:` prefix. Matching an `r:` event
 * walks the subtree under its slot (equal, or an `r:` descendant: exactly
 * `tagMatches` of the contracts, see `tagSlots`).
 */
export class EntryTagIndex<T extends IndexableEntry> {
  private readonly bySlot = new Map<string, Slot<T>>();
  private generation = 1;
  private entryCount = 0;
  private slotCount = 0;

  /** Indexes `entry` under its tags and interns them (no-op if already indexed). */
  add(entry: T): void {
    if (entry.indexedIn === this.generation) return;
    const tags = entry.tags;
    const interned = new Array<string>(tags.length);
    for (let i = 0; i < tags.length; i++) {
      const slot = this.slotFor(tags[i]);
      slot.add(entry);
      interned[i] = slot.tag;
    }
    entry.tags = interned;
    entry.indexedIn = this.generation;
    this.entryCount++;
    this.slotCount += slotsOf(interned).length;
  }

  /** Unindexes `entry` (only that very object). Returns whether it was indexed. */
  remove(entry: T): boolean {
    if (entry.indexedIn !== this.generation) return false;
    entry.indexedIn = 0;
    this.entryCount--;
    this.slotCount -= slotsOf(entry.tags).length;
    for (const tag of entry.tags) {
      const slot = this.bySlot.get(tag);
      if (slot !== undefined && slot.delete(entry)) this.prune(slot);
    }
    return true;
  }

  /** Entries whose tags an event tag matches (equal, or an `r:` descendant), each once, as a copy (callers remove while iterating). */
  matching(eventTag: string): T[] {
    const slot = this.bySlot.get(eventTag);
    if (slot === undefined) return [];
    if (slot.children === undefined) {
      const out: T[] = [];
      slot.forEach((entry) => out.push(entry));
      return out;
    }
    const found = new Set<T>();
    const stack: Array<Slot<T>> = [slot];
    for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
      s.forEach((entry) => found.add(entry));
      if (s.children !== undefined) for (const child of s.children) stack.push(child);
    }
    return [...found];
  }

  /** Forgets every entry (entries indexed before are then no longer indexed). */
  clear(): void {
    this.bySlot.clear();
    this.generation++;
    this.entryCount = 0;
    this.slotCount = 0;
  }

  /** Distinct slots (tags and `r:` prefixes) in use. */
  get tagCount(): number {
    return this.bySlot.size;
  }

  /** Indexed entries. */
  get keyCount(): number {
    return this.entryCount;
  }

  /** (slot, entry) pairs an event can reach entries by (each entry's distinct tags and `r:` prefixes): bounded by entries x slots per entry. */
  get slots(): number {
    return this.slotCount;
  }

  /** The slot of `tag`, created with its `r:` ancestors when missing. */
  private slotFor(tag: string): Slot<T> {
    const known = this.bySlot.get(tag);
    if (known !== undefined) return known;
    let parent: Slot<T> | undefined;
    if (tag.startsWith(RESOURCE_TAG_PREFIX)) {
      const at = tag.lastIndexOf(':');
      if (at >= RESOURCE_TAG_PREFIX.length) parent = this.slotFor(tag.slice(0, at));
    }
    const slot = new Slot<T>(tag, parent);
    if (parent !== undefined) (parent.children ??= new Set()).add(slot);
    this.bySlot.set(tag, slot);
    return slot;
  }

  /** Frees a slot with no entries and no children, then its ancestors likewise. */
  private prune(slot: Slot<T> | undefined): void {
    while (slot !== undefined && slot.size === 0 && (slot.children === undefined || slot.children.size === 0)) {
      this.bySlot.delete(slot.tag);
      const parent = slot.parent;
      if (parent !== undefined) {
        parent.children!.delete(slot);
        if (parent.children!.size === 0) parent.children = undefined;
      }
      slot = parent;
    }
  }
}
