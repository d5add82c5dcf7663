import { RESOURCE_TAG_PREFIX } from '@iam/contracts';
import { slotCountOf } from './tag-slots';

/** What the index needs of an entry: its tags, and a field it owns to remember it indexed the entry. */
export interface IndexableEntry {
  /** Replaced on {@link EntryTagIndex.add} by the interned (shared) tag strings. */
  tags: readonly string[];
  /** Index generation the entry is indexed in (0: not indexed); owned by the index. */
  indexedIn: number;
}

/*
 * A slot's members: one entry in a field; then an array (up to LIST_MAX);
 * then a Set. An array costs ~8-12 B per member (it is grown by hand, 1.5x,
 * without V8's +16 slack) where a Set costs ~25-40 B, but finding a member
 * to remove is a scan: the array is kept short enough for the scan to stay
 * cheaper than the Set's hashing (a few hundred ns at worst). A Set shrunk
 * to LIST_MAX / 4 members turns back into an array (no flapping at the
 * boundary).
 */
const LIST_MAX = 128;

/**
 * The entries holding one tag. `tag` is the one string instance every entry
 * with this tag shares. `r:` slots form a tree by `:`-prefix (`r:a` is the
 * parent of `r:a:b`), so an event on a resource reaches its descendants
 * without every entry being a member of each of its prefixes.
 */
class Slot<T> {
  private one: T | undefined;
  /** Members in `list[0..n)`; `list.length` is its capacity. */
  private list: Array<T | undefined> | undefined;
  private n = 0;
  private many: Set<T> | undefined;
  children: Set<Slot<T>> | undefined;
  constructor(
    readonly tag: string,
    readonly parent: Slot<T> | undefined,
  ) {}

  get size(): number {
    return this.many !== undefined ? this.many.size : this.list !== undefined ? this.n : this.one !== undefined ? 1 : 0;
  }

  /** Adds `entry`; the caller never adds an entry twice. */
  add(entry: T): void {
    if (this.many !== undefined) {
      this.many.add(entry);
    } else if (this.list !== undefined) {
      const list = this.list;
      if (this.n === LIST_MAX) {
        this.many = new Set(list.slice(0, this.n) as T[]);
        this.many.add(entry);
        this.list = undefined;
        this.n = 0;
        return;
      }
      if (this.n === list.length) this.resize(Math.min(LIST_MAX, Math.ceil(list.length * 1.5)));
      this.list![this.n++] = entry;
    } else if (this.one === undefined) {
      this.one = entry;
    } else {
      this.list = [this.one, entry];
      this.n = 2;
      this.one = undefined;
    }
  }

  /** Returns whether `entry` was held. */
  delete(entry: T): boolean {
    if (this.many !== undefined) {
      const held = this.many.delete(entry);
      if (this.many.size <= LIST_MAX / 4) {
        const members = [...this.many];
        this.many = undefined;
        if (members.length <= 1) this.one = members[0];
        else {
          this.list = members;
          this.n = members.length;
        }
      }
      return held;
    }
    const list = this.list;
    if (list !== undefined) {
      const n = this.n;
      let at = 0;
      while (at < n && list[at] !== entry) at++;
      if (at === n) return false;
      list[at] = list[n - 1];
      list[n - 1] = undefined;
      this.n = n - 1;
      if (this.n === 1) {
        this.one = list[0];
        this.list = undefined;
        this.n = 0;
      } else if (this.n * 4 <= list.length && list.length > 4) {
        this.resize(Math.ceil(this.n * 1.5));
      }
      return true;
    }
    if (this.one !== entry) return false;
    this.one = undefined;
    return true;
  }

  /** Calls `f` on each entry. */
  forEach(f: (entry: T) => void): void {
    if (this.many !== undefined) this.many.forEach((e) => f(e));
    else if (this.list !== undefined) for (let i = 0; i < this.n; i++) f(this.list[i] as T);
    else if (this.one !== undefined) f(this.one);
  }

  /** The members, as a new array. */
  toArray(): T[] {
    if (this.many !== undefined) return [...this.many];
    if (this.list !== undefined) return this.list.slice(0, this.n) as T[];
    return this.one !== undefined ? [this.one] : [];
  }

  private resize(capacity: number): void {
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.n; i++) next[i] = this.list![i];
    this.list = next;
  }
}

/**
 * Tag -> entries index (surrogate keys) of one cache, holding the entries
 * themselves (no key strings, no per-entry record). It also interns tags:
 * {@link add} replaces an entry's tag strings by the slot's own string, so a
 * tag shared by a million entries is held once; a slot (and its string) is
 * freed when its last entry and its last child leave.
 *
 * Memory: one membership per tag of each entry (~8-12 B in a slot of up
 * to 128 entries, ~25-40 B in a larger one, which holds a Set), plus one
 * slot (~70 B, and its array or Set) and one string per distinct tag or
 * `r:` prefix. Matching an `r:` event
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
      interned[i] = slot.tag;
      // A tag listed twice: one membership (a slot holds an entry once).
      if (interned.indexOf(slot.tag) === i) slot.add(entry);
    }
    entry.tags = interned;
    entry.indexedIn = this.generation;
    this.entryCount++;
    this.slotCount += slotCountOf(interned);
  }

  /** Unindexes `entry` (only that very object). Returns whether it was indexed. */
  remove(entry: T): boolean {
    if (entry.indexedIn !== this.generation) return false;
    entry.indexedIn = 0;
    this.entryCount--;
    this.slotCount -= slotCountOf(entry.tags);
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
    if (slot.children === undefined) return slot.toArray();
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
