/**
 * Start-up failure naming the environment variable and what it accepts.
 * The message reads `VARIABLE: what is wrong; accepted: ...`, the code is
 * always `CONFIG_INVALID`. Apps subclass it only to give the error their own
 * `name` (`ServiceConfigError`, `StackConfigError`).
 */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  /** Stable code, printed by the entry points on a failed start. */
  readonly code = 'CONFIG_INVALID';
  constructor(
    /** The offending environment variable, e.g. `PORT`. */
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}
