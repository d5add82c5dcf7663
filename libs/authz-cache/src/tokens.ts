/** Injection tokens of the module's internal providers. */
export const AUTHZ_OPTIONS = Symbol('AUTHZ_OPTIONS');
export const AUTHZ_INSTANCE_ID = Symbol('AUTHZ_INSTANCE_ID');
export const AUTHZ_CACHE_CORE = Symbol('AUTHZ_CACHE_CORE');
