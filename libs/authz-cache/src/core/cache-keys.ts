import { hash } from 'node:crypto';
import type { CachePartition, DecisionQuery } from './types';

/*
 * Compact string keys. NUL separates fields: ids, actions and resources
 * never contain it, and the resource is last, so a resource holding one
 * still cannot make two questions share a key.
 */
const SEP = '\u0000';

/*
 * Keys are built with `join`, which makes one flat string: a template
 * literal makes a rope (cons strings) that, once stored as an lru-cache key,
 * keeps ~6 rope nodes and the request's principal and resource strings alive
 * per entry (~200 B at 1M entries).
 */

/**
 * Decision key in its plain form: partition, principal, action, normalised
 * resource (one flat string). Snapshots hold this form; the cache itself
 * keys decisions by the compact form of `DecisionKeys` (interned ids).
 */
export function decisionKey(partition: CachePartition, principal: string, action: string, resource: string): string {
  return [partition, principal, action, resource].join(SEP);
}

/** Inverse of {@link decisionKey}. */
export function parseDecisionKey(key: string): { partition: CachePartition; query: DecisionQuery } {
  const a = key.indexOf(SEP);
  const b = key.indexOf(SEP, a + 1);
  const c = key.indexOf(SEP, b + 1);
  return {
    partition: Number(key.slice(0, a)),
    query: { principal: key.slice(a + 1, b), action: key.slice(b + 1, c), resource: key.slice(c + 1) },
  };
}

/**
 * Identity key: partition and sha256 of the token, never the token itself
 * (snapshots are written to disk, and keys appear in dumps).
 */
export function identityKey(partition: CachePartition, token: string): string {
  return identityKeyOfDigest(partition, tokenDigest(token));
}

/** The sha256 of a bearer token that identity keys hold (base64url). */
export function tokenDigest(token: string): string {
  // One-shot hash: no Hash object per read (about a fifth of the cost of createHash().update().digest() for a token).
  return hash('sha256', token, 'base64url');
}

/** {@link identityKey} from a {@link tokenDigest} already computed. */
export function identityKeyOfDigest(partition: CachePartition, digest: string): string {
  // join, not a template literal: one flat string (a rope is flattened again by every map lookup).
  return [partition, digest].join(SEP);
}

/**
 * A bearer token's digest, and its identity key in the partition it was
 * last looked up in, kept by a caller that sees the same token again (the
 * guard, per connection). A key string that is kept keeps its hash, so a
 * warm lookup neither hashes the token nor hashes a fresh key.
 */
export class TokenKeys {
  private partition: CachePartition | undefined;
  private key = '';

  constructor(readonly digest: string) {}

  static of(token: string): TokenKeys {
    return new TokenKeys(tokenDigest(token));
  }

  /** {@link identityKeyOfDigest} of this token in `partition`. */
  identityKey(partition: CachePartition): string {
    if (partition !== this.partition) {
      this.key = identityKeyOfDigest(partition, this.digest);
      this.partition = partition;
    }
    return this.key;
  }
}

/** Prefix shared by every key of a partition (both caches). */
export function partitionPrefix(partition: CachePartition): string {
  return `${partition}${SEP}`;
}

const TOKEN_SHAPE = /^iam_([0-9a-f]{16})_/;

/** The (non-secret) token id of a bearer token `iam_<tokenId>_<secret>`, if it has that shape. */
export function tokenIdOf(token: string): string | undefined {
  return TOKEN_SHAPE.exec(token)?.[1];
}
