import express, { json, NextFunction, Request, Response } from 'express';
import fc from 'fast-check';
import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import { request as httpRequest, Server } from 'node:http';
import { plainJsonBodyReader } from './http-hardening';

const LIMIT = 64;

/** An app answering `{status, body}` for what its parser made of a request: the parsed body, or the error's status. */
function app(parser: express.RequestHandler): express.Express {
  const server = express();
  server.use(parser);
  server.use((error: { status?: number; statusCode?: number } | undefined, _req: Request, res: Response, next: NextFunction) => {
    if (!error) return next();
    res.status(200).json({ error: error.status ?? error.statusCode ?? 500 });
  });
  server.post('/', (req, res) => void res.json({ body: req.body === undefined ? '<undefined>' : req.body }));
  return server;
}

function send(port: number, body: Buffer, headers: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('plainJsonBodyReader', () => {
  let servers: Server[];
  let reference: number;
  let fast: number;

  beforeAll(async () => {
    servers = [app(json({ limit: LIMIT })), app(plainJsonBodyReader(LIMIT, json({ limit: LIMIT })))].map((a) => a.listen(0, '127.0.0.1'));
    await Promise.all(servers.map((server) => once(server, 'listening')));
    [reference, fast] = servers.map((server) => (server.address() as AddressInfo).port);
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const text = fc.oneof(
    fc.json(),
    fc.constantFrom('', ' ', '{}', '[]', ' {"a":1} ', '\ufeff{"a":1}', '\ufeff', '"str"', '1', 'null', 'true', '{"a":', '{"a":1}x', '\t\n[1]', '{"big":"' + 'x'.repeat(80) + '"}'),
    fc.string({ maxLength: 20 }),
  );
  const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8', 'Application/JSON', 'application/json; charset=latin1', 'text/plain', 'application/vnd.api+json');

  it('reads every body exactly as body-parser json() does (same body, or the same error status)', async () => {
    await fc.assert(
      fc.asyncProperty(text, contentType, async (body, type) => {
        const bytes = Buffer.from(body, 'utf8');
        const headers = { 'content-type': type, 'content-length': String(bytes.length) };
        expect(await send(fast, bytes, headers)).toEqual(await send(reference, bytes, headers));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves bodies over the limit to body-parser (413)', async () => {
    const bytes = Buffer.from(JSON.stringify({ a: 'x'.repeat(LIMIT) }));
    expect(await send(fast, bytes, { 'content-type': 'application/json', 'content-length': String(bytes.length) })).toEqual({ error: 413 });
  });
});
