import { slotsOf } from './tag-slots';

interface Indexed<T> {
  owner: T;
  slots: string[];
}

/**
 * Tag -> keys index (surrogate keys) of one cache. Each key is indexed with
 * the entry (`owner`) whose tags it holds, so a late `dispose` of an older
 * entry for the same key cannot unindex the newer one. Empty sets are
 * deleted at once: the index holds exactly the slots of the entries it
 * indexes, so it is bounded by the cache (entries x slots per entry).
 */
export class TagIndex<T> {
  private readonly byTag = new Map<string, Set<string>>();
  private readonly byKey = new Map<string, Indexed<T>>();
  private slotCount = 0;

  /** Indexes `key` under `tags` (replacing whatever it was indexed under). */
  add(key: string, owner: T, tags: readonly string[]): void {
    this.remove(key);
    const slots = slotsOf(tags);
    for (const slot of slots) {
      let keys = this.byTag.get(slot);
      if (keys === undefined) {
        keys = new Set();
        this.byTag.set(slot, keys);
      }
      keys.add(key);
    }
    this.slotCount += slots.length;
    this.byKey.set(key, { owner, slots });
  }

  /**
   * Unindexes `key`; when `owner` is given, only if `key` is still indexed
   * for that very entry. Returns whether something was removed.
   */
  remove(key: string, owner?: T): boolean {
    const indexed = this.byKey.get(key);
    if (indexed === undefined || (owner !== undefined && indexed.owner !== owner)) return false;
    for (const slot of indexed.slots) {
      const keys = this.byTag.get(slot);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.byTag.delete(slot);
    }
    this.slotCount -= indexed.slots.length;
    this.byKey.delete(key);
    return true;
  }

  /**
   * Keys whose tags an event tag matches (equal, or an `r:` descendant), as
   * a copy (callers delete while iterating).
   */
  keysMatching(eventTag: string): string[] {
    const keys = this.byTag.get(eventTag);
    return keys === undefined ? [] : [...keys];
  }

  /** The entry `key` is indexed for. */
  ownerOf(key: string): T | undefined {
    return this.byKey.get(key)?.owner;
  }

  clear(): void {
    this.byTag.clear();
    this.byKey.clear();
    this.slotCount = 0;
  }

  /** Distinct slots (tags and `r:` prefixes) in use. */
  get tagCount(): number {
    return this.byTag.size;
  }

  /** Indexed keys. */
  get keyCount(): number {
    return this.byKey.size;
  }

  /** (slot, key) pairs held: the index's memory, bounded by entries x slots per entry. */
  get slots(): number {
    return this.slotCount;
  }
}
