/** Name of the one JetStream stream that carries every invalidation event. */
export const IAM_EVENTS_STREAM = 'IAM_EVENTS';

/** Prefix of every event subject; the event type follows it. */
export const EVENTS_SUBJECT_PREFIX = 'iam.v1.events';

/** Wildcard that the stream captures and consumers filter on. */
export const EVENTS_SUBJECT_WILDCARD = `${EVENTS_SUBJECT_PREFIX}.>`;

/** Request/reply subjects answered by the authority. */
export const RPC_SUBJECTS = {
  check: 'iam.v1.rpc.check',
  resolveIdentity: 'iam.v1.rpc.identity.resolve',
} as const;

/** Queue group the authority's instances answer the RPC subjects in (one instance answers each request). */
export const RPC_QUEUE_GROUP = 'iam-authority';

/**
 * Control subjects: operators (iamctl) send a request, every cache instance
 * that matches the request's `service` (or all, when absent) replies
 * (scatter-gather).
 */
export const CONTROL_SUBJECTS = {
  replay: 'iam.v1.control.replay',
  rebuild: 'iam.v1.control.rebuild',
  stats: 'iam.v1.control.stats',
} as const;

/** The subject an event of `type` is published on: `iam.v1.events.<type>`. */
export function subjectFor(type: string): string {
  return `${EVENTS_SUBJECT_PREFIX}.${type}`;
}
