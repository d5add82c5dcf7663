/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. Default 10 000 ms. */
  timeoutMs?: number;
  /** Pause between attempts. Default 25 ms. */
  intervalMs?: number;
  /** Named in the timeout error. */
  description?: string;
}

/** Thrown by {@link waitFor} when the predicate never held. */
export class WaitTimeoutError extends Error {
  readonly code = 'WAIT_TIMEOUT';
  constructor(description: string, timeoutMs: number, lastError?: unknown) {
    const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
    super(`timed out after ${timeoutMs} ms waiting for ${description}${cause}`);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls `predicate` until it returns a truthy value (which is returned) or
 * `timeoutMs` passes. A throwing predicate counts as "not yet"; its last
 * error is reported on timeout.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 25, description = 'a condition' }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(description, timeoutMs, lastError);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, intervalMs));
  }
}

/**
 * How long a suite's start-up hook (NATS, a database, an authority, apps)
 * may take: seconds on a quiet machine, but a first PGlite open alone took
 * over 30 s on two cores at load 14. A wait, never a timing assertion.
 */
export const START_UP_HOOK_TIMEOUT_MS = 180_000;
