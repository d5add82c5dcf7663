/** Injection token of the validated {@link AuthorityConfig}. */
export const AUTHORITY_CONFIG = Symbol('AUTHORITY_CONFIG');
/** Injection token of the {@link Database}. */
export const DATABASE = Symbol('DATABASE');
