import { ConsoleLogger, LogLevel } from '@nestjs/common';

/** Log level names in the JSON lines: the usual ones of log pipelines (`log` is `info`, `verbose` is `trace`). */
const JSON_LEVEL: Record<LogLevel, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

// ANSI colour and cursor sequences: a JSON line carries none of them.
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/*
 * Shapes that carry credentials, masked even if a message interpolates them
 * by mistake: user:password@ in URLs, Bearer tokens, and key=value pairs
 * whose key says password, pass, secret or token.
 */
const REDACTIONS: Array<[RegExp, string]> = [
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, '$1:[redacted]@'],
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\b([A-Za-z_]*(?:password|passwd|pass|secret|token))(["']?\s*[=:]\s*["']?)[^\s"',}&]+/gi, '$1$2[redacted]'],
];

/** `message` with colour codes removed and credential shapes masked. */
export function sanitiseLogText(message: string): string {
  let text = message.replace(ANSI, '');
  for (const [pattern, replacement] of REDACTIONS) text = text.replace(pattern, replacement);
  return text;
}

/**
 * Nest logger writing one JSON object per line (`LOG_FORMAT=json`):
 * `{"time":"<ISO-8601>","level":"info","context":"Turing","message":"...","pid":1}`,
 * plus `stack` for errors that have one. No colours, no multi-line output;
 * credential shapes in messages are masked ({@link sanitiseLogText}).
 * Levels are filtered like Nest's console logger (`LOG_LEVEL`).
 */
export class JsonLogger extends ConsoleLogger {
  constructor(logLevels: LogLevel[]) {
    super({ json: true, colors: false, compact: true, logLevels });
  }

  protected override printAsJson(message: unknown, options: { context: string; logLevel: LogLevel; writeStreamType?: 'stdout' | 'stderr'; errorStack?: unknown }): void {
    process[options.writeStreamType ?? 'stdout'].write(`${JSON.stringify(this.jsonLine(message, options))}\n`);
  }

  /** The object of one line: time, level, context, message, pid (and stack). */
  jsonLine(message: unknown, options: { context: string; logLevel: LogLevel; errorStack?: unknown }): Record<string, unknown> {
    const object: Record<string, unknown> = {
      time: new Date().toISOString(),
      level: JSON_LEVEL[options.logLevel] ?? options.logLevel,
      context: options.context || '',
      message: typeof message === 'string' ? sanitiseLogText(message) : sanitiseValue(message),
      pid: process.pid,
    };
    if (options.errorStack) object.stack = sanitiseLogText(String(options.errorStack));
    return object;
  }
}

/** Objects logged as messages: masked through their JSON text (they are printed as JSON anyway). */
function sanitiseValue(value: unknown): unknown {
  if (value instanceof Error) return sanitiseLogText(value.message);
  if (value === null || typeof value !== 'object') return value;
  try {
    return JSON.parse(sanitiseLogText(JSON.stringify(value))) as unknown;
  } catch {
    return '[unserialisable]';
  }
}
