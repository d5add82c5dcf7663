import type { CheckResult, ResolvedIdentity } from '@iam/contracts';
import type { TokenKeys } from '../core/cache-keys';
import type { CachePartition, Miss } from '../core/types';

/** Options of a read through an {@link IdentityResolver}. */
export interface IdentityReadOptions {
  /** Consistency token: never answer from a state older than this authority revision. */
  minRevision?: number;
}

/**
 * What a resolver needs of the module's service (AuthzService implements it):
 * a partition to claim, and the two reads with their synchronous hit halves.
 * A narrow port, so the resolver does not depend on the service that
 * creates it (no import cycle).
 */
export interface PartitionedReads {
  claimPartition(): CachePartition;
  resolveIdentity(token: string, opts: IdentityReadOptions & { partition: CachePartition }): Promise<ResolvedIdentity | null>;
  check(principal: string, action: string, resource: string, opts: IdentityReadOptions & { partition: CachePartition }): Promise<CheckResult>;
  resolveIdentityHit(token: string, opts: IdentityReadOptions & { partition: CachePartition }, keys?: TokenKeys): ResolvedIdentity | null | Miss;
  checkHit(principal: string, action: string, resource: string, opts: IdentityReadOptions & { partition: CachePartition }): CheckResult | Miss;
}

/**
 * Resolves bearer tokens to identities through the identity cache, in a
 * partition of its own: it claims a unique partition when it is constructed
 * (the identity-cache-partition RFC), so every holder of this instance shares
 * its cached entries, and an entry cached through another resolver's
 * partition is never served through this one. Events bust every partition.
 *
 * The module provides one shared instance (inject `IdentityResolver`); the
 * guard uses it unless a route says `@UseIdentityResolver(token)`. An
 * override resolver comes from `AuthzService.createIdentityResolver`.
 *
 * Reads follow `AuthzService.resolveIdentity`: degraded policy,
 * consistency tokens and the kill switch (`enabled: false`: every read asks
 * the authority; the partition is then a negative placeholder).
 */
export class IdentityResolver {
  /** This resolver's cache partition, claimed once, at construction. */
  readonly partition: CachePartition;
  /** A label for logs and errors (never part of a cache key). */
  readonly name: string;
  /** The options of a read without a consistency token, made once (a warm hit allocates nothing here). */
  private readonly partitionOnly: IdentityReadOptions & { partition: CachePartition };

  /**
   * @param authz the module's service, through its narrow port (reads go through it, with this partition)
   * @param name for logs and errors only; default `partition-<n>`
   */
  constructor(
    private readonly authz: PartitionedReads,
    name?: string,
  ) {
    this.partition = authz.claimPartition();
    this.name = name ?? `partition-${this.partition}`;
    this.partitionOnly = Object.freeze({ partition: this.partition });
  }

  /** The identity behind a bearer token, cached in this resolver's partition; null when unknown, expired or revoked. */
  resolve(token: string, opts: IdentityReadOptions = {}): Promise<ResolvedIdentity | null> {
    return this.authz.resolveIdentity(token, this.readOptions(opts));
  }

  /**
   * May `principal` do `action` on `resource`? The decision is cached in this
   * resolver's partition too, so a decision made for an identity resolved
   * here is never served to a request resolved through another resolver.
   */
  check(principal: string, action: string, resource: string, opts: IdentityReadOptions = {}): Promise<CheckResult> {
    return this.authz.check(principal, action, resource, this.readOptions(opts));
  }

  /**
   * {@link resolve}'s synchronous half: the identity (or null) when it is a
   * fresh cache hit now, else MISS (then call {@link resolve}). `keys`:
   * the token's {@link TokenKeys}, when the caller keeps them. @internal
   */
  resolveHit(token: string, opts: IdentityReadOptions = {}, keys?: TokenKeys): ResolvedIdentity | null | Miss {
    return this.authz.resolveIdentityHit(token, this.readOptions(opts), keys);
  }

  /** {@link check}'s synchronous half: the decision when it is a fresh cache hit now, else MISS (then call {@link check}). @internal */
  checkHit(principal: string, action: string, resource: string, opts: IdentityReadOptions = {}): CheckResult | Miss {
    return this.authz.checkHit(principal, action, resource, this.readOptions(opts));
  }

  /** Only the consistency token crosses over: a caller cannot pick another partition through the options. */
  private readOptions(opts: IdentityReadOptions): IdentityReadOptions & { partition: CachePartition } {
    return opts.minRevision === undefined ? this.partitionOnly : { minRevision: opts.minRevision, partition: this.partition };
  }
}
