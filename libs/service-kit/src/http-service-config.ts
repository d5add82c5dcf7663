import type { LogLevel } from '@nestjs/common';
import { ConfigError } from './config-error';

/** Thrown when an environment variable of the HTTP service has an invalid value (code `CONFIG_INVALID`). */
export class ServiceConfigError extends ConfigError {
  override readonly name = 'ServiceConfigError';
}

/** Where and how loudly the HTTP service runs. */
export interface HttpServiceConfig {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Bind address. Default 127.0.0.1. */
  host: string;
  /** The levels Nest's logger prints: LOG_LEVEL and everything more severe. */
  logLevels: LogLevel[];
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Reads `PORT` (default `defaultPort`; 0 = any free port), `HOST` (default
 * 127.0.0.1) and `LOG_LEVEL` (default `log`: that level and everything more
 * severe). Throws {@link ServiceConfigError} naming the variable and the
 * accepted values.
 */
export function httpServiceConfigFromEnv(env: NodeJS.ProcessEnv, defaultPort: number): HttpServiceConfig {
  const rawPort = env.PORT?.trim();
  let port = defaultPort;
  if (rawPort) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535) throw new ServiceConfigError('PORT', `"${rawPort}" is not a port; accepted: an integer from 0 to 65535`);
  }
  const host = env.HOST?.trim() || '127.0.0.1';
  return { port, host, logLevels: logLevelsFromEnv(env) };
}

/**
 * `LOG_LEVEL` (default `log`) as the list of levels Nest's logger prints:
 * that level and everything more severe. Every app reads it through here.
 */
export function logLevelsFromEnv(env: NodeJS.ProcessEnv): LogLevel[] {
  const rawLevel = (env.LOG_LEVEL?.trim() || 'log') as LogLevel;
  const index = LOG_LEVELS.indexOf(rawLevel);
  if (index < 0) throw new ServiceConfigError('LOG_LEVEL', `"${rawLevel}" is not a log level; accepted: ${LOG_LEVELS.join(', ')}`);
  return LOG_LEVELS.slice(0, index + 1);
}

/** The URL a listening server answers on (0.0.0.0 and :: are reached through loopback). */
export function listeningUrl(host: string, address: unknown): string {
  const port = typeof address === 'object' && address !== null && 'port' in address ? (address as { port: number }).port : 0;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const shown = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${shown}:${port}`;
}
