import { ensureLocalNats } from './ensure-local-nats';
import { NatsServerNotFoundError } from './errors';

jest.mock('./nats-server-binary', () => ({
  ...jest.requireActual('./nats-server-binary'),
  findNatsServerBinary: () => null,
}));
jest.mock('./nats-probe', () => ({ natsAnswers: async () => false }));

describe('ensureLocalNats', () => {
  it('returns a non-default URL untouched, without starting anything', async () => {
    await expect(ensureLocalNats({ url: 'nats://nats.internal:4222' })).resolves.toEqual({
      url: 'nats://nats.internal:4222',
      process: null,
    });
  });

  it('explains how to get nats-server when none answers and no binary exists', async () => {
    const attempt = ensureLocalNats({ url: 'nats://127.0.0.1:4222' });
    await expect(attempt).rejects.toBeInstanceOf(NatsServerNotFoundError);
    await expect(attempt).rejects.toMatchObject({ code: 'NATS_SERVER_NOT_FOUND' });
    await expect(attempt).rejects.toThrow(/apt-get install nats-server/);
    await expect(attempt).rejects.toThrow(/docker compose up nats/);
  });
});
