/*
 * Shared fragments of the contract's JSON Schemas (draft-07: what Ajv 8
 * compiles by default and what AsyncAPI 3's default schema format extends).
 * Every schema is a `const` object, so TypeScript sees its literal shape and
 * `schema-types.check.ts` can derive types from it.
 */

/** Longest identifier (principal, group, role, policy, token id) in a payload. */
export const ID_MAX = 256;
/** Most items in one payload list (members, token ids, actions...). */
export const LIST_MAX = 10_000;

/** A non-empty identifier of at most {@link ID_MAX} characters. */
export const identifier = { type: 'string', minLength: 1, maxLength: ID_MAX } as const;

/** A list of strings, at most {@link LIST_MAX}. */
export const stringList = { type: 'array', maxItems: LIST_MAX, items: { type: 'string' } } as const;

/** An RFC 3339 timestamp (`2026-11-30T04:18:30.000Z`, what `Date.toISOString()` writes). */
export const timestamp = { type: 'string', format: 'date-time' } as const;

/** A non-negative integer that JavaScript represents exactly (2^53 - 1 at most). */
export const safeCount = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
