import type { AuthzCacheCoreOptions } from '../core/core-options';
import { firstSegments, keepFullResource } from '../core/resource-normaliser';
import type { ResolvedAuthzOptions } from './authz-cache.options';

/** What the module's options set in the cache core (the loaders are the wiring's own). */
export type CacheCoreSettings = Omit<AuthzCacheCoreOptions, 'loadDecision' | 'loadIdentity'>;

/** The cache core's settings from the module's resolved options: every cache option reaches the core here. */
export function cacheCoreSettings(options: ResolvedAuthzOptions): CacheCoreSettings {
  return {
    maxDecisions: options.maxDecisions,
    maxIdentities: options.maxIdentities,
    maxUnknownTokens: options.maxUnknownTokens,
    softTtlMs: options.softTtlMs,
    hardTtlMs: options.hardTtlMs,
    negativeTtlMs: options.negativeTtlMs,
    maxTagRevisions: options.maxTagRevisions,
    // The lease: an entry is served only while now - max(loadedAt, freshAsOf) <= maxStalenessMs.
    maxStalenessMs: options.maxStalenessMs,
    normaliseResource: options.resourceSegments > 0 ? firstSegments(options.resourceSegments) : keepFullResource,
  };
}
