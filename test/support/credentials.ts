/*
 * The one set of secrets every test, fake authority and bench shares.
 * Production-shaped (at least 32 characters, one per role), so the same set
 * works with and without IAM_DEV_MODE (the fault suites run without it).
 * Tests that are about a wrong, short or leaked secret write their own
 * literal beside the assertion instead.
 */

/** The authority's admin token (IAM_ADMIN_TOKEN): only the authority and the test's operator hold it. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-7c1e-0123456789abcdef';

/** The service token (IAM_SERVICE_TOKEN) the consumers present to the authority's read API. */
export const TEST_SERVICE_TOKEN = 'test-service-token-2b9d-0123456789abcdef';

/** A consumer's own cache-admin token (AUTHZ_ADMIN_TOKEN, `/admin/cache/*`), never the authority's. */
export const TEST_CACHE_ADMIN_TOKEN = 'test-cache-admin-token-5a3f-0123456789abcdef';

/** The operator key every test app and test operator shares (IAM_OPERATOR_KEY). */
export const TEST_OPERATOR_KEY = 'test-operator-key-0123456789abcdef';
