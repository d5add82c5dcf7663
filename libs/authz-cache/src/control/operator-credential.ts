import {
  ALL_SERVICES,
  OPERATOR_FRESHNESS_MS,
  OPERATOR_NONCE_HEADER,
  OPERATOR_SIGNATURE_HEADER,
  OPERATOR_TIMESTAMP_HEADER,
  operatorSignature,
  secretsEqual,
} from '@iam/contracts';

/** Why a control message was dropped (the metric label). */
export type ControlRejection =
  | 'wrong-subject'
  | 'jetstream-delivery'
  | 'no-reply'
  | 'no-operator-key'
  | 'missing-credential'
  | 'stale-credential'
  | 'bad-signature'
  | 'replayed-nonce';

/** The facts about one message the verifier decides on (what nats.js gives a subscriber). */
export interface ControlMessageFacts {
  /** The subject the subscription was made for (the control subject). */
  expectedSubject: string;
  /** `msg.subject`. */
  subject: string;
  /** `msg.reply`, if any. */
  reply: string | undefined;
  /** Header lookup (`msg.headers?.get(name)`), '' or undefined when absent. */
  header: (name: string) => string | undefined;
  body: Uint8Array;
}

const NONCE_SHAPE = /^[A-Za-z0-9_-]{16,64}$/;
const TIMESTAMP_SHAPE = /^\d{1,16}$/;
/** Headers a JetStream delivery (or a direct get) carries and an operator's request never does. */
const JETSTREAM_HEADERS = ['Nats-Stream', 'Nats-Sequence', 'Nats-Subject', 'Nats-Time-Stamp', 'Nats-Expected-Stream'];
/** Remembered nonces, at most; beyond it the oldest go first (they are the first to expire anyway). */
const MAX_REMEMBERED_NONCES = 10_000;

/**
 * Decides whether a control request may be acted on (docs/architecture.md#security):
 * it arrived on the control subject itself, not as a JetStream delivery (a
 * push consumer may deliver stream messages onto any subject), it carries a
 * valid HMAC operator credential (see `@iam/contracts` operator-credential),
 * signed within {@link OPERATOR_FRESHNESS_MS} of `now`, and its nonce was not
 * seen before. A pure decision driven by an injected clock.
 */
export class OperatorCredentialVerifier {
  private readonly seenNonces = new Map<string, number>();

  constructor(
    private readonly operatorKey: string | undefined,
    private readonly now: () => number = Date.now,
    private readonly freshnessMs: number = OPERATOR_FRESHNESS_MS,
  ) {}

  /** `undefined` when the request may be acted on, else why it must be dropped. */
  verify(facts: ControlMessageFacts): ControlRejection | undefined {
    if (facts.subject !== facts.expectedSubject) return 'wrong-subject';
    if (facts.reply === undefined || facts.reply === '') return 'no-reply';
    if (facts.reply.startsWith('$JS.') || JETSTREAM_HEADERS.some((name) => present(facts.header(name)))) return 'jetstream-delivery';
    if (this.operatorKey === undefined) return 'no-operator-key';
    const timestamp = facts.header(OPERATOR_TIMESTAMP_HEADER) ?? '';
    const nonce = facts.header(OPERATOR_NONCE_HEADER) ?? '';
    const signature = facts.header(OPERATOR_SIGNATURE_HEADER) ?? '';
    if (!TIMESTAMP_SHAPE.test(timestamp) || !NONCE_SHAPE.test(nonce) || !/^[0-9a-f]{64}$/.test(signature)) return 'missing-credential';
    const now = this.now();
    if (Math.abs(now - Number(timestamp)) > this.freshnessMs) return 'stale-credential';
    const expected = operatorSignature(this.operatorKey, facts.subject, timestamp, nonce, facts.body);
    if (!secretsEqual(signature, expected)) return 'bad-signature';
    this.forgetExpired(now);
    if (this.seenNonces.has(nonce)) return 'replayed-nonce';
    this.seenNonces.set(nonce, Number(timestamp));
    if (this.seenNonces.size > MAX_REMEMBERED_NONCES) this.seenNonces.delete(this.seenNonces.keys().next().value as string);
    return undefined;
  }

  private forgetExpired(now: number): void {
    for (const [nonce, signedAt] of this.seenNonces) {
      if (now - signedAt <= this.freshnessMs) break;
      this.seenNonces.delete(nonce);
    }
  }
}

/**
 * Whether a (verified) request is addressed to `serviceName`: `service` names
 * it, or is {@link ALL_SERVICES} (`"*"`). A request without `service` is
 * addressed to nobody: "all" must be said explicitly.
 */
export function addressedTo(service: unknown, serviceName: string): boolean {
  return service === serviceName || service === ALL_SERVICES;
}

function present(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}
