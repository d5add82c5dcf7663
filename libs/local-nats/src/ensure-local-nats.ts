import { join } from 'node:path';
import { NatsServerNotFoundError } from './errors';
import { findNatsServerBinary, NATS_SERVER_FALLBACK_DIRS } from './nats-server-binary';
import { NatsServerProcess } from './nats-server-process';
import { natsAnswers } from './nats-probe';

/** The NATS_URL every app defaults to; the only URL for which a local server is started. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** Default data directory of the local server (JetStream storage, config, log). */
export const DEFAULT_LOCAL_NATS_DATA_DIR = join('.data', 'nats');

/** Anything with a `log` method: a Nest `Logger`, `console`, ... */
export interface LocalNatsLogger {
  log(message: string): void;
}

/** Options of {@link ensureLocalNats}. */
export interface EnsureLocalNatsOptions {
  /** The configured NATS_URL. Default {@link DEFAULT_NATS_URL}. */
  url?: string;
  /** Data directory for a server started here. Default `./.data/nats`. */
  dataDir?: string;
  /** Told when a server is started. Default: silent. */
  logger?: LocalNatsLogger;
  /**
   * Run a server started here with these permission files (docker/nats/auth.conf)
   * and this environment (their `$VAR` passwords). Default: no auth.
   */
  auth?: { includeFiles: readonly string[]; env: Readonly<Record<string, string>> };
}

/** Result of {@link ensureLocalNats}. */
export interface LocalNats {
  /** URL to connect to. */
  url: string;
  /** The server started here (stop it at shutdown), or null when one was already there or the URL is not the default. */
  process: NatsServerProcess | null;
}

/**
 * Makes `npm start` work on a fresh machine: when nothing answers at the
 * default URL, starts a local nats-server with JetStream (data under
 * `dataDir`) and says so. A non-default URL is returned untouched: that
 * server belongs to someone else, and the app's client reports if it is down.
 *
 * @throws NatsServerNotFoundError (code NATS_SERVER_NOT_FOUND) when a server
 *   is needed and no `nats-server` binary exists; its message says how to get one.
 */
export async function ensureLocalNats(options: EnsureLocalNatsOptions = {}): Promise<LocalNats> {
  return ensureNatsServer(options, { url: DEFAULT_NATS_URL, host: '127.0.0.1', port: 4222 });
}

/**
 * Where {@link ensureLocalNats} may start a server: the default URL and the
 * address it stands for. Only tests pass anything else (a free port, so they
 * never fight a developer's server on 4222).
 * @internal
 */
export interface LocalNatsTarget {
  url: string;
  host: string;
  port: number;
}

/** @internal {@link ensureLocalNats} with the default URL as a parameter. */
export async function ensureNatsServer(options: EnsureLocalNatsOptions, target: LocalNatsTarget): Promise<LocalNats> {
  const url = options.url ?? target.url;
  if (normalise(url) !== normalise(target.url)) return { url, process: null };
  if (await natsAnswers(target.host, target.port)) return { url, process: null };

  const binary = findNatsServerBinary();
  if (!binary) throw new NatsServerNotFoundError(NATS_SERVER_FALLBACK_DIRS, url);
  const dataDir = options.dataDir ?? DEFAULT_LOCAL_NATS_DATA_DIR;
  let server: NatsServerProcess;
  try {
    server = await NatsServerProcess.start({
      binary,
      dataDir,
      host: target.host,
      port: target.port,
      serverName: 'iam-local',
      ...(options.auth ? { includeFiles: options.auth.includeFiles, env: options.auth.env } : {}),
    });
  } catch (error) {
    // Another process (a sibling app started at the same moment) may have won the port.
    if (await natsAnswers(target.host, target.port)) return { url, process: null };
    throw error;
  }
  options.logger?.log(
    `Nothing answered at ${url}: started a local nats-server with JetStream (pid ${server.pid}, data in ${server.dataDir}, log ${server.logFile})`,
  );
  return { url, process: server };
}

function normalise(url: string): string {
  return url.trim().replace(/\/+$/, '');
}
