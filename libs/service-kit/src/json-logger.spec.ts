import { JsonLogger, sanitiseLogText } from './json-logger';
import { logFormatFromEnv, serviceLoggerFromEnv } from './service-logger';

/** Lines the logger writes to stdout/stderr while `run` runs. */
function capture(run: () => void): string[] {
  const lines: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  try {
    run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

describe('JsonLogger (LOG_FORMAT=json)', () => {
  it('writes one JSON object per line with time, level, context and message, and no colour codes', () => {
    const logger = new JsonLogger(['error', 'warn', 'log']);
    const lines = capture(() => {
      logger.log('turing listening on http://127.0.0.1:3001', 'Turing');
      logger.warn('degraded mode (bounded): NATS disconnected', 'InvalidationSubscriber');
      logger.error('start-up failed', 'Error: boom\n    at main (main.ts:1:1)', 'IamAuthority');
    });
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      expect(line).not.toMatch(/\u001b\[/);
    }
    const [info, warn, error] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(info).slice(0, 4)).toEqual(['time', 'level', 'context', 'message']);
    expect(new Date(info.time as string).toISOString()).toBe(info.time);
    expect(info).toMatchObject({ level: 'info', context: 'Turing', message: 'turing listening on http://127.0.0.1:3001' });
    expect(warn).toMatchObject({ level: 'warn', context: 'InvalidationSubscriber' });
    expect(error).toMatchObject({ level: 'error', context: 'IamAuthority', message: 'start-up failed' });
    expect(error.stack).toContain('at main');
  });

  it('honours the level list (LOG_LEVEL)', () => {
    const logger = new JsonLogger(['error', 'warn']);
    const lines = capture(() => {
      logger.log('hidden', 'X');
      logger.debug('hidden', 'X');
      logger.warn('shown', 'X');
    });
    expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['shown']);
  });

  it('masks credentials a message carries by mistake', () => {
    const logger = new JsonLogger(['log']);
    const [line] = capture(() =>
      logger.log('connect nats://service:s3cret-pass@nats:4222 with Authorization: Bearer abc.def-123 and NATS_PASS=hunter2', 'Nats'),
    );
    expect(line).not.toMatch(/s3cret-pass|abc\.def-123|hunter2/);
    expect(JSON.parse(line).message).toBe('connect nats://service:[redacted]@nats:4222 with Authorization: Bearer [redacted] and NATS_PASS=[redacted]');
  });

  it('strips ANSI colour codes from messages', () => {
    expect(sanitiseLogText('\u001b[32mgreen\u001b[39m')).toBe('green');
  });
});

describe('LOG_FORMAT', () => {
  it('defaults to text (Nest console levels) and gives a JsonLogger for json', () => {
    expect(serviceLoggerFromEnv({})).toEqual(['fatal', 'error', 'warn', 'log']);
    expect(serviceLoggerFromEnv({ LOG_FORMAT: 'json', LOG_LEVEL: 'warn' })).toBeInstanceOf(JsonLogger);
  });

  it('rejects other values, naming the variable and the accepted values', () => {
    expect(() => logFormatFromEnv({ LOG_FORMAT: 'yaml' })).toThrow(/LOG_FORMAT.*"yaml".*text, json/);
  });
});
