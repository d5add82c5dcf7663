import type { LoggerService, LogLevel } from '@nestjs/common';
import { logLevelsFromEnv, ServiceConfigError } from './http-service-config';
import { JsonLogger } from './json-logger';

/** Accepted values of `LOG_FORMAT`. */
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * `LOG_FORMAT` (default `text`): `text` is Nest's coloured console lines,
 * `json` one JSON object per line ({@link JsonLogger}). Throws
 * {@link ServiceConfigError} naming the variable and the accepted values.
 */
export function logFormatFromEnv(env: NodeJS.ProcessEnv): LogFormat {
  const raw = env.LOG_FORMAT?.trim() || 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(raw)) throw new ServiceConfigError('LOG_FORMAT', `"${raw}" is not a log format; accepted: ${LOG_FORMATS.join(', ')}`);
  return raw as LogFormat;
}

/**
 * The logger an app gives `NestFactory.create({ logger })` and
 * `Logger.overrideLogger`, from `LOG_FORMAT` and `LOG_LEVEL`: the level list
 * for text (Nest's console logger), a {@link JsonLogger} for json.
 */
export function serviceLoggerFromEnv(env: NodeJS.ProcessEnv): LoggerService | LogLevel[] {
  const levels = logLevelsFromEnv(env);
  return logFormatFromEnv(env) === 'json' ? new JsonLogger(levels) : levels;
}
