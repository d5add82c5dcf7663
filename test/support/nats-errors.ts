import { AuthorizationError, NoRespondersError, PermissionViolationError, TimeoutError } from '@nats-io/nats-core';

/** What kind of NATS failure an error is, looking through its `cause` chain (nats.js 3 wraps request failures). */
export type NatsErrorKind = 'permission' | 'authorization' | 'no-responders' | 'timeout' | `other: ${string}`;

export function natsErrorKind(error: unknown): NatsErrorKind {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof PermissionViolationError) return 'permission';
    if (e instanceof AuthorizationError) return 'authorization';
    if (e instanceof NoRespondersError) return 'no-responders';
    if (e instanceof TimeoutError) return 'timeout';
  }
  return `other: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
