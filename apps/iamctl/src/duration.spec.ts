import { UsageError } from './errors';
import { parseDurationMs, parsePositiveInt, parseSince } from './duration';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 'h', '1', '1y', '1h x', '-1h', 'abc'])('rejects "%s" as a usage error', (text) => {
    expect(() => parseDurationMs(text)).toThrow(UsageError);
  });
});

describe('parseSince', () => {
  const now = new Date('2024-05-01T12:00:00.000Z');

  it('goes back from now by a duration', () => {
    expect(parseSince('1h', now).toISOString()).toBe('2024-05-01T11:00:00.000Z');
    expect(parseSince('30m', now).toISOString()).toBe('2024-05-01T11:30:00.000Z');
  });

  it('accepts an ISO-8601 time', () => {
    expect(parseSince('2024-05-01T10:00:00Z', now).toISOString()).toBe('2024-05-01T10:00:00.000Z');
  });

  it('rejects an invalid or future time', () => {
    expect(() => parseSince('2024-13-45T99:00:00Z', now)).toThrow(UsageError);
    expect(() => parseSince('2030-01-01T00:00:00Z', now)).toThrow(/future/);
  });
});

describe('parsePositiveInt', () => {
  it('parses integers and names the option when it cannot', () => {
    expect(parsePositiveInt('--limit', '10')).toBe(10);
    expect(parsePositiveInt('--from-seq', '0', { allowZero: true })).toBe(0);
    expect(() => parsePositiveInt('--limit', '0')).toThrow('--limit must be a positive integer, not "0"');
    expect(() => parsePositiveInt('--limit', '1.5')).toThrow(UsageError);
  });
});
