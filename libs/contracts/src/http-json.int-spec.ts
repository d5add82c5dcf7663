import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { HttpJsonClient, HttpJsonError } from './http-json';

/** A loopback server whose handler the test sets; counts the connections it accepted. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('HttpJsonClient', () => {
  const client = new HttpJsonClient();
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(closeServer));
  });
  afterAll(() => client.close());

  async function start(handler: Parameters<typeof serve>[0]) {
    const served = await serve(handler);
    servers.push(served.server);
    return served;
  }

  it('sends JSON, resolves every status with the parsed body, the text and lower-case headers', async () => {
    const { url } = await start((req, res, body) => {
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.setHeader('X-IAM-Revision', '7');
      res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'], auth: req.headers.authorization, body: body ? JSON.parse(body) : null }));
    });
    const ok = await client.request<Record<string, unknown>>(`${url}/x`, { method: 'post', headers: { authorization: 'Bearer t' }, body: { a: 1 }, timeoutMs: 5000 });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-iam-revision']).toBe('7');
    expect(ok.json).toEqual({ method: 'POST', type: 'application/json', auth: 'Bearer t', body: { a: 1 } });
    expect(JSON.parse(ok.text)).toEqual(ok.json);
    const missing = await client.request(`${url}/missing`, { timeoutMs: 5000 });
    expect(missing.status).toBe(404);
  });

  it('keeps the text and no json for a body that is not JSON, and sends a raw body as is', async () => {
    const { url } = await start((_req, res, body) => res.end(`<html>${body}</html>`));
    const answer = await client.request(url, { method: 'POST', rawBody: '{"a":', timeoutMs: 5000 });
    expect(answer.json).toBeUndefined();
    expect(answer.text).toBe('<html>{"a":</html>');
  });

  it('reuses one kept-alive connection for requests in sequence', async () => {
    const { url, connections } = await start((_req, res) => res.end('{}'));
    for (let i = 0; i < 5; i++) expect((await client.request(url, { timeoutMs: 5000 })).status).toBe(200);
    expect(connections()).toBe(1);
  });

  it('rejects with reason timeout when no answer comes in time', async () => {
    const { url } = await start(() => undefined);
    const started = performance.now();
    const failure = await client.request(url, { timeoutMs: 200 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HttpJsonError);
    expect((failure as HttpJsonError).reason).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('rejects with reason refused when nothing listens, and aborted on the caller signal', async () => {
    const { server, url } = await serve((_req, res) => res.end('{}'));
    await closeServer(server);
    const refused = await client.request(url, { timeoutMs: 5000 }).catch((error: unknown) => error);
    expect((refused as HttpJsonError).reason).toBe('refused');

    const { url: silent } = await start(() => undefined);
    const controller = new AbortController();
    const pending = client.request(silent, { timeoutMs: 30_000, signal: controller.signal }).catch((error: unknown) => error);
    controller.abort();
    expect(((await pending) as HttpJsonError).reason).toBe('aborted');
    const already = await client.request(silent, { timeoutMs: 30_000, signal: AbortSignal.abort() }).catch((error: unknown) => error);
    expect((already as HttpJsonError).reason).toBe('aborted');
  });

  describe('a kept-alive connection the server drops just as it is reused', () => {
    /** Answers the first request of each connection; destroys the connection on the second. */
    async function dropsReused() {
      const served = new WeakMap<Socket, number>();
      return start((req, res) => {
        const count = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, count);
        if (count > 1) req.socket.destroy();
        else res.end(JSON.stringify({ count }));
      });
    }

    it('sends a read (GET, or marked idempotent) once more on a fresh connection', async () => {
      const { url, connections } = await dropsReused();
      expect((await client.request(url, { timeoutMs: 5000 })).status).toBe(200);
      const again = await client.request(url, { timeoutMs: 5000 });
      expect(again.status).toBe(200);
      expect(connections()).toBe(2);
      const post = await client.request(url, { method: 'POST', body: {}, idempotent: true, timeoutMs: 5000 });
      expect(post.status).toBe(200);
      expect(connections()).toBe(3);
    });

    it('does not send a mutation twice: it rejects with reason connection', async () => {
      const { url } = await dropsReused();
      expect((await client.request(url, { method: 'POST', body: {}, timeoutMs: 5000 })).status).toBe(200);
      const failure = await client.request(url, { method: 'POST', body: {}, timeoutMs: 5000 }).catch((error: unknown) => error);
      expect((failure as HttpJsonError).reason).toBe('connection');
    });
  });
});
