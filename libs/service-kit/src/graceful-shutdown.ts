import { Logger } from '@nestjs/common';

/** What {@link closeOnSignals} logs; each default is the wording of a single service. */
export interface CloseOnSignalsMessages {
  /** Logged after `<SIGNAL> received: `. Default `shutting down`. */
  closing?: string;
  /** Logged once `close` resolved, before exiting 0. Default: nothing. */
  closed?: string;
  /** Logged before `: <error message>` when `close` rejected. Default `shutdown failed`. */
  failed?: string;
  /**
   * Where the closing/closed lines go instead of the Nest logger at level
   * `log` (a process whose LOG_LEVEL hides `log` still says it stops).
   */
  print?: (line: string) => void;
}

/**
 * Runs `close` once on the first SIGINT or SIGTERM, then exits 0 (1 if
 * closing failed). A second signal while closing exits 1 at once, so an
 * operator can always stop a process whose close hangs. Logs under the
 * context `name`; `messages` adjusts the wording, not the behaviour.
 */
export function closeOnSignals(name: string, close: () => Promise<void>, messages: CloseOnSignalsMessages = {}): void {
  const { closing: closingMessage = 'shutting down', closed: closedMessage, failed: failedMessage = 'shutdown failed' } = messages;
  const logger = new Logger(name);
  const say = messages.print ?? ((line: string) => logger.log(line));
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    closing = true;
    say(`${signal} received: ${closingMessage}`);
    close().then(
      () => {
        if (closedMessage) say(closedMessage);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`${failedMessage}: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
