import { HttpJsonClient } from '@iam/contracts';
import type { HttpJsonAnswer, HttpJsonRequest } from '@iam/contracts';

/**
 * The tests' HTTP client: kept-alive connections on node:http. `fetch`
 * costs about three times the CPU per request, and the suites send tens of
 * thousands of requests on a 2-core machine. One per test file (jest gives
 * each file its own modules); idle connections do not keep a worker alive.
 */
export const testHttp = new HttpJsonClient();

/** One request with the tests' client; the answer of any status (rejects only when none came). */
export function request<T = unknown>(url: string, options: Partial<HttpJsonRequest> = {}): Promise<HttpJsonAnswer<T>> {
  return testHttp.request<T>(url, { timeoutMs: 10_000, ...options });
}

/** The status of a GET. */
export async function statusOf(url: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<number> {
  return (await testHttp.request(url, { headers, timeoutMs })).status;
}
