import type { CachePartition, DecisionQuery } from './types';

/*
 * Compact decision keys: `${partition}\0${principalId}\0${actionId}\0${resource}`,
 * where the principal and the action are interned as short ids (base 36).
 * A key holds the resource once and ~6 characters for who and what, where
 * the plain question (`decisionKey`) copied a ~25-character principal and
 * a ~15-character action into every key (~30 B less per entry).
 *
 * Rules that keep a key meaning one question:
 * - ids are never reused: the counter only grows, so a key built while a
 *   principal held id 7 can never later denote another principal (a record
 *   freed too early only makes its keys unreachable: a lost hit, never a
 *   wrong one);
 * - the first three fields never contain NUL (decimal, base 36) and the
 *   resource is last, so a resource holding one cannot shift a field.
 *
 * Records are reference-counted by the keys that use them (stored entries
 * and reads in progress, see `GuardedCacheOptions.keyRefs`) and freed at
 * zero, so the tables hold only principals and actions of cached keys.
 */
const SEP = '\u0000';

/** One interned string: its id (as written in keys) and how many keys hold it. */
interface Interned {
  readonly value: string;
  readonly id: number;
  /** `id` in base 36, as written in keys. */
  readonly written: string;
  refs: number;
}

/** A string <-> id table whose records live while some key holds them. */
class InternTable {
  private readonly byValue = new Map<string, Interned>();
  private readonly byId = new Map<number, Interned>();
  private next = 0;

  /** The id of `value` if interned (no record is created). */
  idOf(value: string): number | undefined {
    return this.byValue.get(value)?.id;
  }

  /** The record of `value`, created (with no reference yet) when missing. */
  intern(value: string): Interned {
    let record = this.byValue.get(value);
    if (record === undefined) {
      const id = this.next++;
      record = { value, id, written: id.toString(36), refs: 0 };
      this.byValue.set(value, record);
      this.byId.set(record.id, record);
    }
    return record;
  }

  valueOf(id: number): string | undefined {
    return this.byId.get(id)?.value;
  }

  retain(id: number): void {
    const record = this.byId.get(id);
    if (record !== undefined) record.refs++;
  }

  release(id: number): void {
    const record = this.byId.get(id);
    if (record !== undefined && --record.refs <= 0) this.drop(record);
  }

  get size(): number {
    return this.byValue.size;
  }

  /** Forgets every record (ids already handed out are still never reused). */
  clear(): void {
    this.byValue.clear();
    this.byId.clear();
  }

  private drop(record: Interned): void {
    this.byValue.delete(record.value);
    this.byId.delete(record.id);
  }
}

/** Base-36 number written in `key[from..to)` (NaN if empty or not base 36: such a key was not built here). */
function idAt(key: string, from: number, to: number): number {
  if (from >= to) return NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = key.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : NaN;
    n = n * 36 + digit;
  }
  return n;
}

/** Principal and action ids of a compact key, without allocating (NaN when it has fewer than three NULs). */
class KeyIds {
  principal = NaN;
  action = NaN;
  /** Index of the resource's first character. */
  resourceAt = -1;

  read(key: string): this {
    const a = key.indexOf(SEP);
    const b = a === -1 ? -1 : key.indexOf(SEP, a + 1);
    const c = b === -1 ? -1 : key.indexOf(SEP, b + 1);
    if (c === -1) {
      this.principal = this.action = NaN;
      this.resourceAt = -1;
    } else {
      this.principal = idAt(key, a + 1, b);
      this.action = idAt(key, b + 1, c);
      this.resourceAt = c + 1;
    }
    return this;
  }
}

/**
 * Builds and reads compact decision keys (see above). `key()` interns on
 * the way; the cache holding the key then retains it (`retain`) for as long
 * as the key is stored or being read, and releases it after.
 */
export class DecisionKeys {
  private readonly principals = new InternTable();
  private readonly actions = new InternTable();
  private readonly ids = new KeyIds();

  /** The key of a question, interning its principal and action (one flat string: see `decisionKey`). */
  key(partition: CachePartition, principal: string, action: string, resource: string): string {
    return [partition, this.principals.intern(principal).written, this.actions.intern(action).written, resource].join(SEP);
  }

  /** The question a key denotes, while its principal and action are interned; undefined otherwise. */
  decode(key: string): { partition: CachePartition; query: DecisionQuery } | undefined {
    const ids = this.ids.read(key);
    const principal = this.principals.valueOf(ids.principal);
    const action = this.actions.valueOf(ids.action);
    if (principal === undefined || action === undefined) return undefined;
    return { partition: Number(key.slice(0, key.indexOf(SEP))), query: { principal, action, resource: key.slice(ids.resourceAt) } };
  }

  /**
   * Whether the key is about `principal`. A key whose principal record was
   * freed (no read can build it any more) is reported as matching: callers
   * use this to drop keys, and dropping an unreachable one is free.
   */
  isAbout(key: string, principal: string): boolean {
    const id = this.ids.read(key).principal;
    if (Number.isNaN(id)) return false;
    return id === this.principals.idOf(principal) || this.principals.valueOf(id) === undefined;
  }

  /** A key (the cache stores it, or a read of it is loading) holds its principal and action. */
  retain(key: string): void {
    const ids = this.ids.read(key);
    this.principals.retain(ids.principal);
    this.actions.retain(ids.action);
  }

  /** The counterpart of one {@link retain}: a record no key holds any more is freed. */
  release(key: string): void {
    const ids = this.ids.read(key);
    this.principals.release(ids.principal);
    this.actions.release(ids.action);
  }

  /**
   * Forgets every record (after the cache dropped every entry). A read still
   * loading keeps its key, which no later read can build: its answer is
   * stored unreachable and evicted in time (a lost hit, never a wrong one).
   */
  clear(): void {
    this.principals.clear();
    this.actions.clear();
  }

  /** Interned principals and actions: bounded by the keys held (a test). */
  get size(): { principals: number; actions: number } {
    return { principals: this.principals.size, actions: this.actions.size };
  }
}
