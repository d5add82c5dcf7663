import { UsageError } from './errors';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration such as `90s`, `30m`, `1h`, `2d`, or combinations
 * (`1h30m`) into milliseconds. Throws {@link UsageError} otherwise.
 */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  const parts = trimmed.match(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g);
  if (!parts || parts.join('') !== trimmed) {
    throw new UsageError(`"${text}" is not a duration; use e.g. 30s, 15m, 1h, 2d or 1h30m`);
  }
  return parts.reduce((total, part) => {
    const [, amount, unit] = part.match(/^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/)!;
    return total + Number(amount) * UNIT_MS[unit];
  }, 0);
}

/**
 * `--since` for replay: a duration back from `now` (`1h`, `30m`) or an
 * ISO-8601 time (`2024-05-01T10:00:00Z`). Returns the start time.
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const time = new Date(trimmed);
    if (Number.isNaN(time.getTime())) throw new UsageError(`"${text}" is not a valid ISO-8601 time`);
    if (time.getTime() > now.getTime()) throw new UsageError(`--since ${text} is in the future`);
    return time;
  }
  return new Date(now.getTime() - parseDurationMs(trimmed));
}

/** A positive integer option (`--limit 10`), else a {@link UsageError} naming the option. */
export function parsePositiveInt(option: string, text: string, { allowZero = false } = {}): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || (!allowZero && value === 0)) {
    throw new UsageError(`${option} must be a ${allowZero ? 'non-negative' : 'positive'} integer, not "${text}"`);
  }
  return value;
}
