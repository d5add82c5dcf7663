/** An HTTP answer with its JSON body and how long it took. */
export interface HttpJsonResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
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

/**
 * One JSON request with `fetch`. Resolves for every HTTP status (the caller
 * decides); rejects only when no answer came (network, timeout).
 */
export async function httpJson<T = unknown>(url: string, options: HttpJsonOptions = {}): Promise<HttpJsonResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (an HTML error page from a proxy, say): keep the text.
  }
  return { status: response.status, body: body as T, headers: response.headers, ms: performance.now() - started };
}
