import type { CheckResult } from '@iam/contracts';

/** {@link CacheEntry.flags}: a negative answer (deny, unknown token): the negative TTL applies. */
export const NEGATIVE = 1;
/** {@link CacheEntry.flags}: the revision guard refused it at insert time: present but never served. */
export const REJECTED = 2;
/** {@link CacheEntry.flags}: it holds a reference on its key's interned parts (see `KeyRefs`). */
export const HELD = 4;
/** Values of `#state` that hold the flags; the index generation is kept above them. */
const FLAG_BITS = 8;

/**
 * One cached answer and what the cache needs to know about it: one object
 * per entry (its key and tag strings are shared with lru-cache and the tag
 * index; no per-entry promise or closure). A class, so every entry has the
 * same shape and its fields stay in the object.
 *
 * The bookkeeping lives in private (`#`) fields: a subclass can then *be*
 * the answer handed to callers ({@link DecisionEntry}) without one more
 * object per entry, and JSON, spread, `Object.keys` and jest's `toEqual` see
 * only the answer's own fields. Accessors (on the prototype) read them.
 *
 * Every number field holds a small integer (a V8 "Smi", stored in the
 * field itself). A number outside +-2^31 (an epoch-scale clock reading, or
 * Infinity) would be boxed in a 16-byte heap number per entry: times are
 * therefore kept relative to the cache's own clock origin (see
 * `GuardedCache`), the TTLs are not stored (the `NEGATIVE` flag picks
 * them), and "never expires" is `null`.
 */
export abstract class CacheEntry<V> {
  readonly #key: string;
  readonly #loadedAt: number;
  readonly #epoch: number;
  /** Flags (low {@link FLAG_BITS} values) and the tag index generation it is indexed in (above them; 0: not indexed). */
  #state: number;

  /** Authority revision the answer reflects (a lower bound for `null` identities). */
  abstract readonly revision: number;
  /** What invalidates it (interned strings once indexed: the tag index replaces the array). */
  abstract tags: readonly string[];
  /** The answer served from this entry. */
  abstract readonly value: V;

  constructor(key: string, loadedAt: number, epoch: number, negative: boolean) {
    this.#key = key;
    this.#loadedAt = loadedAt;
    this.#epoch = epoch;
    this.#state = negative ? NEGATIVE : 0;
  }

  /** The very string lru-cache holds as the key. */
  get key(): string {
    return this.#key;
  }

  /**
   * Clock time the load started, rounded down to the ms (conservative: the
   * answer is at least this old), relative to the cache's clock origin.
   */
  get loadedAt(): number {
    return this.#loadedAt;
  }

  /** Flush generation it was loaded in; a flush during the load makes it unstorable. */
  get epoch(): number {
    return this.#epoch;
  }

  /** {@link NEGATIVE}, {@link REJECTED} and {@link HELD}. */
  get flags(): number {
    return this.#state % FLAG_BITS;
  }

  /** Sets {@link REJECTED}: refused by the revision guard at insert, present but never served. */
  reject(): void {
    if ((this.flags & REJECTED) === 0) this.#state += REJECTED;
  }

  /** Sets {@link HELD}; true if it was not set (the caller then takes the reference). */
  hold(): boolean {
    if ((this.flags & HELD) !== 0) return false;
    this.#state += HELD;
    return true;
  }

  /** Clears {@link HELD}; true if it was set (the caller then drops the reference). */
  unhold(): boolean {
    if ((this.flags & HELD) === 0) return false;
    this.#state -= HELD;
    return true;
  }

  /** Refused by the revision guard at insert: present but never served. */
  get rejected(): boolean {
    return (this.flags & REJECTED) !== 0;
  }

  /** Tag index generation it is indexed in (0: not indexed); owned by the index. */
  get indexedIn(): number {
    return Math.floor(this.#state / FLAG_BITS);
  }

  set indexedIn(generation: number) {
    this.#state = generation * FLAG_BITS + (this.#state % FLAG_BITS);
  }

  /**
   * Clock time (relative to the cache's origin) from which the value itself
   * no longer holds (identity expiry); null if never.
   */
  get validUntil(): number | null {
    return null;
  }
}

/**
 * A decision entry that is itself the {@link CheckResult} handed to callers:
 * `allowed`, `revision` and `tags` are its only own (enumerable)
 * properties, so it serialises, spreads and compares as the plain answer
 * does. The tags are held in the entry (the tag index's interned strings
 * once indexed: the loader's are dropped), four in fields and the rest in
 * one array; `tags` is an own accessor that builds the array when read (a
 * fresh copy each time: a caller cannot change the cached answer through
 * it). No caller reads it on the hit path.
 *
 * Bytes per entry of 4 tags: 104 (24 of header, 10 fields), where an entry
 * (96), an answer object (48) and a tag array (80) took 224.
 */
export class DecisionEntry extends CacheEntry<CheckResult> implements CheckResult {
  allowed: boolean;
  revision: number;
  declare tags: string[];
  #t0: string | undefined;
  #t1: string | undefined;
  #t2: string | undefined;
  /** The fourth tag, or (more than four) an array of the fourth and later ones. */
  #rest: string | readonly string[] | undefined;

  /*
   * One descriptor object for every entry: V8 then keeps one hidden class
   * (the accessor pair is shared), and the property stays own and enumerable.
   */
  static readonly #TAGS: PropertyDescriptor = {
    enumerable: true,
    configurable: false,
    get(this: DecisionEntry): string[] {
      return this.#tagList();
    },
    set(this: DecisionEntry, tags: readonly string[]): void {
      this.#setTags(tags);
    },
  };

  constructor(key: string, answer: CheckResult, loadedAt: number, epoch: number) {
    super(key, loadedAt, epoch, !answer.allowed);
    this.allowed = answer.allowed;
    this.revision = answer.revision;
    Object.defineProperty(this, 'tags', DecisionEntry.#TAGS);
    this.#setTags(answer.tags);
  }

  /** The entry is the answer. */
  get value(): CheckResult {
    return this;
  }

  #setTags(tags: readonly string[]): void {
    const n = tags.length;
    this.#t0 = n > 0 ? tags[0] : undefined;
    this.#t1 = n > 1 ? tags[1] : undefined;
    this.#t2 = n > 2 ? tags[2] : undefined;
    this.#rest = n === 4 ? tags[3] : n > 4 ? tags.slice(3) : undefined;
  }

  #tagList(): string[] {
    const rest = this.#rest;
    if (rest !== undefined && typeof rest !== 'string') return [this.#t0!, this.#t1!, this.#t2!, ...rest];
    const n = rest !== undefined ? 4 : this.#t2 !== undefined ? 3 : this.#t1 !== undefined ? 2 : this.#t0 !== undefined ? 1 : 0;
    const out = new Array<string>(n);
    if (n > 0) out[0] = this.#t0!;
    if (n > 1) out[1] = this.#t1!;
    if (n > 2) out[2] = this.#t2!;
    if (n > 3) out[3] = rest as string;
    return out;
  }
}

/** An entry holding its value in a field (identities: a value may be `null`, and the index tags differ from its own). */
export class ValueEntry<V> extends CacheEntry<V> {
  readonly #validUntil: number | null;

  constructor(
    key: string,
    /** The value; replaced once (on insert) by a copy sharing the index's tag strings (see `GuardedCacheOptions.shareTags`). */
    public value: V,
    readonly revision: number,
    public tags: readonly string[],
    loadedAt: number,
    validUntil: number | null,
    epoch: number,
    negative: boolean,
  ) {
    super(key, loadedAt, epoch, negative);
    this.#validUntil = validUntil;
  }

  override get validUntil(): number | null {
    return this.#validUntil;
  }
}

/** What a loaded value says about itself. */
export interface EntryFacts {
  revision: number;
  tags: readonly string[];
  /** Negative answers (deny, unknown token) use the negative TTL. */
  negative: boolean;
  validUntil: number;
}

/** Builds the entry of a loaded value (`validUntil` already on the cache's clock, null: never). */
export type EntryFactory<V> = (key: string, value: V, facts: EntryFacts, loadedAt: number, validUntil: number | null, epoch: number) => CacheEntry<V>;

/** The default {@link EntryFactory}: the value in a field. */
export function valueEntry<V>(key: string, value: V, facts: EntryFacts, loadedAt: number, validUntil: number | null, epoch: number): CacheEntry<V> {
  return new ValueEntry(key, value, facts.revision, facts.tags, loadedAt, validUntil, epoch, facts.negative);
}

/**
 * Thrown by the fetch method when an answer failed the revision guard twice:
 * lru-cache then stores nothing, and every waiting reader gets the answer
 * uncached (its read started before the invalidation that refused it).
 */
export class UncacheableAnswerError<V> extends Error {
  override readonly name = 'UncacheableAnswerError';
  readonly code = 'AUTHZ_CACHE_UNCACHEABLE_ANSWER';
  constructor(readonly entry: CacheEntry<V>) {
    super('answer is older than an applied invalidation of its tags; returned uncached');
  }
}
