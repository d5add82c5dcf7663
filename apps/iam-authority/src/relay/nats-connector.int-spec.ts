import { NatsTestServer, startNatsServer } from '../../../../test/support/nats-server';
import { waitFor } from '../../../../test/support/wait';
import { NatsConnector } from './nats-connector';

// Restarting a server takes seconds on a loaded machine.
jest.setTimeout(60_000);

/*
 * The relay's wake-up on reconnect: listeners hear every (re)connect, not
 * only the first (a restarted nats-server may have lost the stream, and the
 * backlog grew while it was away).
 */
describe('NatsConnector', () => {
  let nats: NatsTestServer;
  let connector: NatsConnector | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
  });

  afterAll(async () => {
    await connector?.close();
    await nats?.dispose();
  });

  it('calls its connect listeners again after every reconnect', async () => {
    connector = new NatsConnector({ servers: nats.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    let connects = 0;
    connector.onConnect(() => (connects += 1));
    expect(await connector.start()).toBe(true);
    expect(connects).toBe(1);

    for (const expected of [2, 3]) {
      await nats.restart();
      await waitFor(() => connects === expected && connector!.isConnected, { timeoutMs: 20_000, description: `connect number ${expected}` });
    }
    let late = 0;
    connector.onConnect(() => (late += 1));
    expect(late).toBe(1);
  });
});
