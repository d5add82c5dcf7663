import { createServer, Server } from 'node:net';
import { assertNatsReachable, assertPortsFree, natsAddresses, portIsFree, StackPreflightError } from './preflight';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolveListen) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolveListen({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('stack preflight', () => {
  it('names the variable of a port already in use', async () => {
    const { server, port } = await listen();
    try {
      expect(await portIsFree('127.0.0.1', port)).toBe(false);
      await expect(assertPortsFree('127.0.0.1', [{ variable: 'AUTHORITY_PORT', port }])).rejects.toThrow(/AUTHORITY_PORT/);
    } finally {
      server.close();
    }
    expect(await portIsFree('127.0.0.1', port)).toBe(true);
  });

  it('parses a comma-separated NATS_URL', () => {
    expect(natsAddresses('nats://a:1, b:2,nats://c')).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
      { host: 'c', port: 4222 },
    ]);
  });

  it('refuses a NATS_URL where nothing listens, at once', async () => {
    const { server, port } = await listen();
    server.close(); // a port that was free a moment ago: nothing listens there now
    const started = Date.now();
    await expect(assertNatsReachable(`nats://127.0.0.1:${port}`)).rejects.toThrow(StackPreflightError);
    await expect(assertNatsReachable(`nats://127.0.0.1:${port}`)).rejects.toThrow(/NATS_URL/);
    expect(Date.now() - started).toBeLessThan(2000); // refused connections fail at once (order of magnitude)
  });
});
