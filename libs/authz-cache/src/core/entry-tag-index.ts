import { RESOURCE_TAG_PREFIX } from '@iam/contracts';

/** What the index needs of an entry: its tags, and a field it owns to remember it indexed the entry. */
export interface IndexableEntry {
  /** Replaced on {@link EntryTagIndex.add} by the interned (shared) tag strings. */
  tags: readonly string[];
  /** Index generation the entry is indexed in (0: not indexed); owned by the index. */
  indexedIn: number;
}

/** The entries of one slot; `tag` is the one string instance every entry with this tag shares. */
class Slot<T> extends Set<T> {
  constructor(readonly tag: string) {
    super();
  }
}

/**
 * Tag -> entries index (surrogate keys) of one cache, holding the entries
 * themselves (no key strings, no per-entry record). It also interns tags:
 * {@link add} replaces an entry's tag strings by the slot's own string, so a
 * tag shared by a million entries is held once; a slot (and its string) is
 * freed when its last entry leaves. An `r:` tag also occupies every
 * `:`-prefix of its resource (see `tagSlots`); those slots are computed on
 * add and remove instead of being stored per entry.
 *
 * Memory: one Set membership (~20-40 B) per slot of each entry, plus one
 * Set and one string per distinct slot.
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
      const tag = tags[i];
      if (tag.startsWith(RESOURCE_TAG_PREFIX)) {
        for (let at = tag.indexOf(':', RESOURCE_TAG_PREFIX.length); at !== -1; at = tag.indexOf(':', at + 1)) {
          this.join(tag.slice(0, at), entry);
        }
      }
      interned[i] = this.join(tag, entry);
    }
    entry.tags = interned;
    entry.indexedIn = this.generation;
    this.entryCount++;
  }

  /** Unindexes `entry` (only that very object). Returns whether it was indexed. */
  remove(entry: T): boolean {
    if (entry.indexedIn !== this.generation) return false;
    entry.indexedIn = 0;
    this.entryCount--;
    for (const tag of entry.tags) {
      if (tag.startsWith(RESOURCE_TAG_PREFIX)) {
        for (let at = tag.indexOf(':', RESOURCE_TAG_PREFIX.length); at !== -1; at = tag.indexOf(':', at + 1)) {
          this.leave(tag.slice(0, at), entry);
        }
      }
      this.leave(tag, entry);
    }
    return true;
  }

  /** Entries whose tags an event tag matches (equal, or an `r:` descendant), as a copy (callers remove while iterating). */
  matching(eventTag: string): T[] {
    const slot = this.bySlot.get(eventTag);
    return slot === undefined ? [] : [...slot];
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

  /** (slot, entry) pairs held: the index's memory, bounded by entries x slots per entry. */
  get slots(): number {
    return this.slotCount;
  }

  private join(slotTag: string, entry: T): string {
    let slot = this.bySlot.get(slotTag);
    if (slot === undefined) {
      slot = new Slot<T>(slotTag);
      this.bySlot.set(slotTag, slot);
    }
    const before = slot.size;
    slot.add(entry);
    if (slot.size !== before) this.slotCount++;
    return slot.tag;
  }

  private leave(slotTag: string, entry: T): void {
    const slot = this.bySlot.get(slotTag);
    if (slot === undefined || !slot.delete(entry)) return;
    this.slotCount--;
    if (slot.size === 0) this.bySlot.delete(slotTag);
  }
}
