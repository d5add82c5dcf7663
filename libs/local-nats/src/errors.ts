/**
 * Errors of the local nats-server helpers. Each has a stable `code`, so
 * callers (an app's bootstrap, the test harness) can react without parsing
 * messages.
 */

/** No `nats-server` binary on PATH nor in the usual system directories. */
export class NatsServerNotFoundError extends Error {
  /** Stable code. */
  readonly code = 'NATS_SERVER_NOT_FOUND';

  constructor(readonly searched: readonly string[], url?: string) {
    super(
      `nats-server was not found (searched PATH and ${searched.join(', ')})` +
        (url ? ` and nothing answers at ${url}` : '') +
        '. Install it with `apt-get install nats-server`, or run one with `docker compose up nats`' +
        (url ? ', or set NATS_URL to a running server.' : '.'),
    );
    this.name = 'NatsServerNotFoundError';
  }
}

/** The server process exited or did not become ready in time. */
export class NatsServerStartError extends Error {
  /** Stable code. */
  readonly code = 'NATS_SERVER_START_FAILED';

  constructor(
    reason: string,
    /** Log file with the server's own output, for debugging. */
    readonly logFile: string,
    /** The last lines of that log. */
    readonly logTail: string,
  ) {
    super(`nats-server failed to start: ${reason} (log: ${logFile})${logTail ? `\n${logTail}` : ''}`);
    this.name = 'NatsServerStartError';
  }
}
