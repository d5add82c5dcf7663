import { Logger } from '@nestjs/common';
import { closeOnSignals } from './graceful-shutdown';

type SignalHandler = (signal: NodeJS.Signals) => void;

describe('closeOnSignals', () => {
  let handlers: Map<string, SignalHandler>;
  let exit: jest.SpyInstance;
  let logs: string[];

  beforeEach(() => {
    handlers = new Map();
    // Capture the handlers instead of installing them on the jest worker.
    jest.spyOn(process, 'on').mockImplementation(((event: string, handler: SignalHandler) => {
      handlers.set(event, handler);
      return process;
    }) as typeof process.on);
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as typeof process.exit);
    logs = [];
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void logs.push(`${level} ${String(args[0])}`));
    }
  });

  afterEach(() => jest.restoreAllMocks());

  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('closes once on SIGTERM, then exits 0', async () => {
    const close = jest.fn().mockResolvedValue(undefined);
    closeOnSignals('Svc', close);
    expect([...handlers.keys()]).toEqual(['SIGINT', 'SIGTERM']);
    handlers.get('SIGTERM')!('SIGTERM');
    await flush();
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
    expect(logs).toEqual(['log SIGTERM received: shutting down']);
  });

  it('exits 1 at once on a second signal while closing', () => {
    const close = jest.fn(() => new Promise<void>(() => undefined));
    closeOnSignals('Svc', close);
    handlers.get('SIGINT')!('SIGINT');
    // The real process.exit never returns.
    exit.mockImplementationOnce(() => {
      throw new Error('exited');
    });
    expect(() => handlers.get('SIGINT')!('SIGINT')).toThrow('exited');
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(1);
    expect(logs).toContain('warn SIGINT again: exiting without waiting');
  });

  it('exits 1 naming the failure when closing rejects', async () => {
    closeOnSignals('Svc', () => Promise.reject(new Error('socket stuck')));
    handlers.get('SIGTERM')!('SIGTERM');
    await flush();
    expect(exit).toHaveBeenCalledWith(1);
    expect(logs).toContain('error shutdown failed: socket stuck');
  });

  it('uses the given wording', async () => {
    closeOnSignals('Stack', () => Promise.resolve(), { closing: 'stopping everything', closed: 'stopped', failed: 'stopping failed' });
    handlers.get('SIGINT')!('SIGINT');
    await flush();
    expect(logs).toEqual(['log SIGINT received: stopping everything', 'log stopped']);
    expect(exit).toHaveBeenCalledWith(0);
  });
});
