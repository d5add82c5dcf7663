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

/** Options of {@link runHttpLoadAlternating}: several URLs of one server instead of one. */
export interface AlternatingLoadOptions extends Omit<HttpLoadOptions, 'url' | 'bodies'> {
  urls: readonly string[];
  /** Every connection switches to the next URL together, this often (ms). */
  sliceMs: number;
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
const urls = o.urls.map((u) => new URL(u));
const bodies = (o.bodies || []).map((b) => Buffer.from(JSON.stringify(b)));
let measuring = false, stopped = false, current = 0;
const completed = urls.map(() => 0), errors = urls.map(() => 0), seconds = urls.map(() => 0);
function once(n) {
  return new Promise((resolve) => {
    const i = current, url = urls[i];
    const body = bodies.length ? bodies[n % bodies.length] : null;
    const headers = Object.assign({}, o.headers || {}, body ? { 'content-type': 'application/json', 'content-length': body.length } : {});
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: o.method, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        if (measuring) { if (res.statusCode === 200) completed[i]++; else errors[i]++; }
        resolve();
      });
    });
    req.on('error', () => { if (measuring) errors[i]++; resolve(); });
    if (body) req.end(body); else req.end();
  });
}
async function loop(offset) {
  let n = offset;
  while (!stopped) { await once(n); n += 1; }
}
const loops = Array.from({ length: o.connections }, (_, i) => loop(i * 7919));
// With several URLs, every connection moves to the next one each slice; a slice's time is credited to its URL.
// Each slice boundary is recorded (its URL, its time, the counts so far) for per-slice rates.
let sliceStart;
const marks = [];
const closeSlice = () => {
  const now = process.hrtime.bigint();
  seconds[current] += Number(now - sliceStart) / 1e9;
  sliceStart = now;
  return now;
};
// Slice k's rate: its URL's completions from its start to the end of slice k + 1 (the requests still
// in flight when it ended complete there, and are its own), over slice k's length.
const sliceRates = () => {
  const rates = [];
  for (let k = 0; k + 2 < marks.length; k++) {
    const url = marks[k].url;
    rates.push({ url, requestsPerSec: (marks[k + 2].counts[url] - marks[k].counts[url]) / (Number(marks[k + 1].at - marks[k].at) / 1e9) });
  }
  return rates;
};
setTimeout(() => {
  measuring = true;
  sliceStart = process.hrtime.bigint();
  marks.push({ url: current, at: sliceStart, counts: completed.slice() });
  const slicer = urls.length > 1 ? setInterval(() => {
    const at = closeSlice();
    current = (current + 1) % urls.length;
    marks.push({ url: current, at, counts: completed.slice() });
  }, o.sliceMs) : undefined;
  setTimeout(async () => {
    measuring = false;
    clearInterval(slicer);
    const at = closeSlice();
    marks.push({ url: -1, at, counts: completed.slice() });
    stopped = true;
    await Promise.all(loops);
    agent.destroy();
    parentPort.postMessage({
      results: urls.map((_, i) => ({ requestsPerSec: Math.round(completed[i] / seconds[i]), completed: completed[i], errors: errors[i] })),
      slices: sliceRates(),
    });
  }, o.durationMs);
}, o.warmupMs);
`;

/** Drives `connections` keep-alive connections at `url` from a worker thread; resolves with the timed window's throughput. */
export async function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const { url, ...rest } = options;
  const { results } = await runWorker({ ...rest, urls: [url], sliceMs: 0 });
  return results[0];
}

/** One slice of an alternating run: which URL (index into `urls`) and its rate over that slice alone. */
export interface SliceRate {
  url: number;
  requestsPerSec: number;
}

/** Outcome of {@link runHttpLoadAlternating}. */
export interface AlternatingLoadResult {
  /** Per URL, over all of its slices. */
  results: HttpLoadResult[];
  /**
   * Every slice in order (URLs in turn), but the last one: a slice is
   * credited with its URL's requests that complete in the next slice too
   * (they were sent in it).
   */
  slices: SliceRate[];
}

/**
 * Loads several URLs of one server in turn, switching every `sliceMs`, over
 * the same connections, for `durationMs` in all; resolves with each URL's
 * throughput over its own slices, and every slice's own rate. For ratios
 * between routes: short slices put every route through the same moments of
 * a noisy machine, where back-to-back runs of seconds each swung by 10 % on
 * two shared cores.
 */
export function runHttpLoadAlternating(options: AlternatingLoadOptions): Promise<AlternatingLoadResult> {
  return runWorker(options);
}

function runWorker(workerData: Omit<HttpLoadOptions, 'url'> & { urls: readonly string[]; sliceMs: number }): Promise<AlternatingLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    worker.once('message', (result: AlternatingLoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
