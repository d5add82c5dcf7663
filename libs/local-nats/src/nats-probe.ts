import { connect as tcpConnect } from 'node:net';

/**
 * Whether a NATS server answers at `host:port`: a TCP connection that
 * receives the server's `INFO` greeting within `timeoutMs`. Needs no
 * credentials and sends nothing, so it works against servers with auth.
 */
export function natsAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const socket = tcpConnect({ host, port });
    let received = '';
    const finish = (answer: boolean): void => {
      socket.destroy();
      resolveProbe(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.length >= 5) finish(received.startsWith('INFO '));
    });
  });
}
