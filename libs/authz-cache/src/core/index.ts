/*
 * The face of the cache core: what the wiring (module, subscriber, guard)
 * and tests use. Internals (GuardedCache, EntryTagIndex, ...) stay private.
 */
export * from './types';
export { AuthzCacheCore } from './authz-cache-core';
export type { FlushScope } from './authz-cache-core';
export { InvalidCoreOptionError } from './core-options';
export type { AuthzCacheCoreOptions } from './core-options';
export { keepFullResource, firstSegments } from './resource-normaliser';
export type { ResourceNormaliser } from './resource-normaliser';
export { SnapshotFormatError, assertCacheSnapshot } from './snapshot-format';
export { UncacheableAnswerError } from './cache-entry';
export { decisionKey, identityKey, tokenIdOf } from './cache-keys';
