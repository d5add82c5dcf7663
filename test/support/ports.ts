import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it).
 * Another process could take it before the caller binds it; prefer letting
 * a server choose its own port where it can (nats-server does, with -1).
 */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.unref();
    server.once('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else rejectPort(new Error('could not determine a free port'));
      });
    });
  });
}
