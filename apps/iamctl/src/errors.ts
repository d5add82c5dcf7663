/** Exit codes of iamctl. */
export const EXIT_OK = 0;
/** Something failed: an HTTP error, a replica that failed, no replica answered. */
export const EXIT_FAILURE = 1;
/** The command line is wrong (unknown option, missing or conflicting arguments). */
export const EXIT_USAGE = 2;

/** An error iamctl reports as one line on stderr and turns into an exit code. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
    readonly code: string = 'FAILED',
  ) {
    super(message);
  }
}

/** A wrong command line (exit code 2). */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message, EXIT_USAGE, 'USAGE');
  }
}
