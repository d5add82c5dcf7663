/*
 * Whether NATS test servers run in containers (testcontainers) or as local
 * nats-server processes. Decided once per jest run in global-setup.ts and
 * handed to the workers through IAM_TEST_NATS_RUNTIME, so the (up to 2 s)
 * probe is not repeated per test file.
 */

/** Where test servers run. */
export type NatsTestRuntime = 'container' | 'local';

/** Environment variable carrying the decision; set it to force one ('container' or 'local'). */
export const NATS_TEST_RUNTIME_ENV = 'IAM_TEST_NATS_RUNTIME';

const PROBE_TIMEOUT_MS = 2000;

let decision: Promise<NatsTestRuntime> | undefined;

/**
 * 'container' when a container runtime answers within ~2 s, else 'local'.
 * Quiet: a missing Docker engine is the normal case on a developer machine.
 */
export async function natsTestRuntime(): Promise<NatsTestRuntime> {
  const forced = process.env[NATS_TEST_RUNTIME_ENV];
  if (forced === 'container' || forced === 'local') return forced;
  if (forced) throw new Error(`${NATS_TEST_RUNTIME_ENV} must be 'container' or 'local', got '${forced}'`);
  decision ??= probeContainerRuntime();
  return decision;
}

async function probeContainerRuntime(): Promise<NatsTestRuntime> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<NatsTestRuntime>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout('local'), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  const probe = import('testcontainers')
    .then(({ getContainerRuntimeClient }) => getContainerRuntimeClient())
    .then((): NatsTestRuntime => 'container')
    .catch((): NatsTestRuntime => 'local');
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
