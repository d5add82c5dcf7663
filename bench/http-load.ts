import { Worker } from 'node:worker_threads';

/** One load run: what to send and for how long. */
export interface HttpLoadOptions {
  /** Full URL, e.g. `http://127.0.0.1:3000/v1/check`. */
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** JSON bodies sent in turn (POST); each connection starts at its own offset. */
  bodies?: readonly unknown[];
  /** Concurrent keep-alive connections, each with one request in flight. */
  connections: number;
  /** Untimed warm-up (ms). */
  warmupMs: number;
  /** Timed window (ms). */
  durationMs: number;
}

/** Outcome of one run: completed requests in the timed window. */
export interface HttpLoadResult {
  requestsPerSec: number;
  completed: number;
  /** Responses with a status other than 200 (a failed run, not a slow one). */
  errors: number;
}

/*
 * The generator runs in a worker thread, so it has its own event loop and
 * does not queue behind the server it measures (which runs on the main
 * thread of the same process). Plain `node:http` with a keep-alive agent of
 * exactly `connections` sockets (TCP_NODELAY): no external tool, same
 * client for every figure of a run.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const o = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: o.connections });
// TCP_NODELAY, as load generators do: no Nagle delay between a request's writes.
const createConnection = agent.createConnection.bind(agent);
agent.createConnection = (options, callback) => { const socket = createConnection(options, callback); socket.setNoDelay(true); return socket; };
const url = new URL(o.url);
const bodies = (o.bodies || []).map((b) => Buffer.from(JSON.stringify(b)));
let measuring = false, stopped = false, completed = 0, errors = 0;
function once(n) {
  return new Promise((resolve) => {
    const body = bodies.length ? bodies[n % bodies.length] : null;
    const headers = Object.assign({}, o.headers || {}, body ? { 'content-type': 'application/json', 'content-length': body.length } : {});
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: o.method, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        if (measuring) { if (res.statusCode === 200) completed++; else errors++; }
        resolve();
      });
    });
    req.on('error', () => { if (measuring) errors++; resolve(); });
    if (body) req.end(body); else req.end();
  });
}
async function loop(offset) {
  let n = offset;
  while (!stopped) { await once(n); n += 1; }
}
const loops = Array.from({ length: o.connections }, (_, i) => loop(i * 7919));
setTimeout(() => {
  measuring = true;
  const start = process.hrtime.bigint();
  setTimeout(async () => {
    measuring = false;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    stopped = true;
    await Promise.all(loops);
    agent.destroy();
    parentPort.postMessage({ requestsPerSec: Math.round(completed / seconds), completed, errors });
  }, o.durationMs);
}, o.warmupMs);
`;

/** Drives `connections` keep-alive connections at `url` from a worker thread; resolves with the timed window's throughput. */
export function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: options });
    worker.once('message', (result: HttpLoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
