/** Stable codes of {@link EventDecodeError}. */
export type EventDecodeErrorCode =
  | 'EVENT_TOO_LARGE'
  | 'EVENT_INVALID_JSON'
  | 'EVENT_INVALID_ENVELOPE'
  | 'EVENT_INVALID_PAYLOAD';

/**
 * A message that is not a valid event. `field` names the offending field as a
 * dotted path (`payload.principalId`), or `$` for the message as a whole.
 * The message never contains the raw input.
 */
export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
  constructor(
    readonly code: EventDecodeErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by `encodeEvent` when asked to encode an event that is not valid. */
export class EventEncodeError extends Error {
  override readonly name = 'EventEncodeError';
  readonly code = 'EVENT_INVALID';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
