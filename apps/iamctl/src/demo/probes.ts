import { HttpJsonError, REVISION_HEADER } from '@iam/contracts';
import { httpJson } from '../clients/http-json';

/** A guarded endpoint of one service the demo calls as the demo user. */
export interface ServiceProbe {
  name: string;
  url: string;
}

/** One request's outcome. */
export interface ProbeAnswer {
  status: number;
  ms: number;
  code?: string;
}

/** GET `probe.url` with the bearer token, optionally carrying a consistency token. */
export async function probe(target: ServiceProbe, token: string, revision?: number): Promise<ProbeAnswer> {
  const headers: Record<string, string> = revision === undefined ? {} : { [REVISION_HEADER]: String(revision) };
  const answer = await httpJson<{ code?: string }>(target.url, { token, headers, timeoutMs: 5000 });
  return { status: answer.status, ms: answer.ms, code: answer.body?.code };
}

/** What polling a service until it denies observed. */
export interface DenialObservation {
  service: string;
  /** From the revoke response to the first 403, ms. */
  ms: number;
  requests: number;
  /** Allowed answers seen before the denial (the event had not arrived yet). */
  allowedBefore: number;
}

/**
 * Polls `target` (no consistency token: the cache decides) every millisecond from
 * `since` until it answers 403; throws after `timeoutMs` or on anything but
 * 200/403.
 */
export async function pollUntilDenied(target: ServiceProbe, token: string, since: number, timeoutMs: number): Promise<DenialObservation> {
  let requests = 0;
  let allowedBefore = 0;
  for (;;) {
    const answer = await probe(target, token);
    requests++;
    if (answer.status === 403) return { service: target.name, ms: performance.now() - since, requests, allowedBefore };
    if (answer.status !== 200) throw new Error(`${target.name} answered ${answer.status} ${answer.code ?? ''} while waiting for the denial`);
    allowedBefore++;
    if (performance.now() - since > timeoutMs) throw new Error(`${target.name} still allowed ${timeoutMs} ms after the revocation`);
    // A breath between requests: measure the system, do not flood it (1 ms is below what we report).
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Waits until `GET <base>/health` answers 200 (subscription live), or throws after `timeoutMs`. */
export async function waitHealthy(base: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const answer = await httpJson(`${base}/health`, { timeoutMs: 2000 });
      if (answer.status === 200) return;
      last = `HTTP ${answer.status}`;
    } catch (error) {
      // A refused connection means nothing listens there: not running, no point in waiting.
      if (connectionRefused(error)) throw new Error(`nothing listens at ${base} (connection refused); is the stack running (npm start)?`);
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${base}/health is not ready after ${timeoutMs} ms (${last}); is the stack running (npm start)?`);
}

/** Whether the request failed because the connection was refused. */
function connectionRefused(error: unknown): boolean {
  return error instanceof HttpJsonError && error.reason === 'refused';
}
