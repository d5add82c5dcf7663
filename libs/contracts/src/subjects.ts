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
 * The authority's RPC as a NATS service (the NATS service framework,
 * "micro"): discoverable with `$SRV.PING|INFO|STATS[.iam-authority]`.
 * `version` is the RPC contract's version (semver), not the app's.
 */
export const RPC_SERVICE = {
  name: 'iam-authority',
  version: '1.0.0',
  description: 'IAM authority: permission checks and bearer-token resolution (plain JSON request/reply)',
  /** Endpoint names (as listed by `$SRV.INFO`) of each RPC subject. */
  endpoints: { check: 'check', resolveIdentity: 'identity-resolve' },
} as const;

/**
 * Header set on an error reply, as the NATS service framework does
 * (`Nats-Service-Error-Code`: the HTTP-like status, `Nats-Service-Error`:
 * `<CODE>: <message>`); the body is the reply JSON all the same.
 */
export const RPC_ERROR_HEADERS = { code: 'Nats-Service-Error-Code', description: 'Nats-Service-Error' } as const;

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
