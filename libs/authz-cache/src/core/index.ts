/*
 * The face of the cache core for code outside the module (bench/): the
 * module's own files import the concept files directly.
 */
export type { DecisionQuery } from './types';
export { AuthzCacheCore } from './authz-cache-core';
export type { AuthzCacheCoreOptions } from './core-options';
export { decisionKey } from './cache-keys';
