import { createServer } from 'node:net';
import { natsAnswers } from '@iam/local-nats';

/** Why the stack refuses to start before touching anything (code `STACK_PREFLIGHT_FAILED`). */
export class StackPreflightError extends Error {
  override readonly name = 'StackPreflightError';
  readonly code = 'STACK_PREFLIGHT_FAILED';
}

/** Whether `host:port` can be listened on right now (port 0 always can). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((resolveFree) => {
    const probe = createServer();
    probe.once('error', () => resolveFree(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolveFree(true)));
  });
}

/**
 * Fails fast, naming the variable, when one of the stack's HTTP ports is
 * taken (a second `npm start`): checked before NATS or the database is
 * touched, so a refused start leaves nothing behind (no RPC queue joined).
 */
export async function assertPortsFree(host: string, ports: ReadonlyArray<{ variable: string; port: number }>): Promise<void> {
  for (const { variable, port } of ports) {
    if (!(await portIsFree(host, port))) {
      throw new StackPreflightError(`${host}:${port} is already in use (${variable}); is another \`npm start\` running? Stop it or set ${variable} to a free port`);
    }
  }
}

/** host:port of each server in a comma-separated NATS_URL. */
export function natsAddresses(natsUrl: string): Array<{ host: string; port: number }> {
  return natsUrl
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const url = new URL(/^[a-z]+:\/\//i.test(part) ? part : `nats://${part}`);
      return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 4222 };
    });
}

/**
 * A NATS_URL set by the user must answer: a stack that cannot reach NATS
 * would run but never invalidate anything. (The default URL is handled by
 * `ensureLocalNats`, which starts a local server when nothing answers.)
 */
export async function assertNatsReachable(natsUrl: string, timeoutMs = 2000): Promise<void> {
  let addresses: Array<{ host: string; port: number }>;
  try {
    addresses = natsAddresses(natsUrl);
  } catch {
    throw new StackPreflightError(`NATS_URL "${natsUrl}" is not a valid URL list; accepted: nats://host:port[,nats://host:port...]`);
  }
  for (const { host, port } of addresses) if (await natsAnswers(host, port, timeoutMs)) return;
  throw new StackPreflightError(`no NATS server answers at ${natsUrl} (NATS_URL): start one there, or unset NATS_URL to let \`npm start\` run a local nats-server`);
}
