/**
 * The authority's storage port: the smallest surface both engines (pg and
 * PGlite) share. Domain code only sees this interface.
 */

/** A result row: column name to value (numbers of `bigint` columns may arrive as strings; use {@link toNumber}). */
export type Row = object;

/** Something SQL can run on: the database itself, or an open transaction. */
export interface Queryable {
  /** Runs one statement with `$1..$n` parameters; returns its rows. */
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** Isolation of a transaction. Reads that must see one snapshot ask for `repeatable read`. */
export type IsolationLevel = 'read committed' | 'repeatable read';

/** The storage engine. */
export interface Database extends Queryable {
  /** `postgres` (pg Pool on DATABASE_URL) or `pglite` (embedded, in IAM_DATA_DIR). */
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `work` in one transaction: COMMIT when it resolves, ROLLBACK when it
   * throws (the error is rethrown). Nothing `work` wrote survives an error.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>, isolation?: IsolationLevel): Promise<T>;
  /** Closes connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Reads a numeric column whatever the driver made of it (pg gives `bigint` as a string). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return Number(value);
  throw new TypeError(`expected a number, got ${typeof value}`);
}

/** Reads a timestamp column as an ISO-8601 string (or null). */
export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  // Duck-typed: a Date from another realm (PGlite, see pglite-database.ts) fails `instanceof Date`.
  if (typeof (value as Date).toISOString === 'function') return (value as Date).toISOString();
  return new Date(String(value)).toISOString();
}

/** Reads a jsonb column holding a string array. */
export function toStringArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return toStringArray(JSON.parse(value));
  return [];
}
