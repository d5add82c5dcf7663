import { createServer } from 'node:net';

/*
 * Ports for test servers come from 20000-32767, below the ephemeral ranges
 * (Linux 32768-60999, macOS and Windows 49152-65535) that outbound
 * connections draw their local ports from. A port the OS hands out for
 * port 0 is an ephemeral one, and on a busy run a test's own client
 * connections took such a port between the moment it was found free and
 * the moment the app under test bound it (EADDRINUSE in stack-and-demo,
 * beside a CPU hog). The range is split into one block per jest worker
 * (JEST_WORKER_ID), so two workers never pick the same port; within a
 * worker, ports are handed out in turn from a random start.
 */
const FIRST_PORT = 20_000;
const LAST_PORT = 32_767;
const BLOCKS = 8;
const BLOCK_SIZE = Math.floor((LAST_PORT - FIRST_PORT + 1) / BLOCKS);
const block = FIRST_PORT + (Number(process.env.JEST_WORKER_ID ?? 0) % BLOCKS) * BLOCK_SIZE;
let next = Math.floor(Math.random() * BLOCK_SIZE);

/**
 * A TCP port that was free on 127.0.0.1 a moment ago, from this worker's
 * block (see above): nothing else in the test run hands it out, and no
 * outbound connection takes it. Prefer letting a server choose its own
 * port where it can (nats-server does, with -1).
 */
export async function freePort(): Promise<number> {
  for (let tried = 0; tried < BLOCK_SIZE; tried++) {
    const port = block + (next++ % BLOCK_SIZE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${block}-${block + BLOCK_SIZE - 1}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}
