import type { IncomingHttpHeaders } from 'node:http';
import { HttpJsonClient } from '@iam/contracts';

/** An HTTP answer with its JSON body and how long it took. */
export interface HttpJsonResponse<T = unknown> {
  status: number;
  /** The parsed JSON body; the text when it is not JSON (an HTML error page from a proxy, say); undefined when empty. */
  body: T;
  /** Header names in lower case. */
  headers: IncomingHttpHeaders;
  /** Wall time from sending to the parsed body, in ms. */
  ms: number;
}

/** Options of {@link httpJson}. */
export interface HttpJsonOptions {
  method?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One client for the process: kept-alive connections to the authority and the services. */
const client = new HttpJsonClient();

/**
 * One JSON request. Resolves for every HTTP status (the caller decides);
 * rejects with `HttpJsonError` only when no answer came (refused, network,
 * timeout).
 */
export async function httpJson<T = unknown>(url: string, options: HttpJsonOptions = {}): Promise<HttpJsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const started = performance.now();
  const answer = await client.request(url, { method: options.method, headers, body: options.body, timeoutMs: options.timeoutMs ?? 10_000 });
  const body = answer.json !== undefined ? answer.json : answer.text.length > 0 ? answer.text : undefined;
  return { status: answer.status, body: body as T, headers: answer.headers, ms: performance.now() - started };
}
