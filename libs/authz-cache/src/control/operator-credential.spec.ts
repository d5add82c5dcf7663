import { OPERATOR_NONCE_HEADER, OPERATOR_SIGNATURE_HEADER, OPERATOR_TIMESTAMP_HEADER, signOperatorRequest } from '@iam/contracts';
import { addressedTo, ControlMessageFacts, OperatorCredentialVerifier } from './operator-credential';

const KEY = 'k'.repeat(32);
const SUBJECT = 'iam.v1.control.rebuild';
const body = new TextEncoder().encode('{"service":"turing"}');

function signed(at: number, overrides: Partial<ControlMessageFacts> = {}, key = KEY): ControlMessageFacts {
  const credential = signOperatorRequest(key, SUBJECT, body, at);
  const headers: Record<string, string> = {
    [OPERATOR_TIMESTAMP_HEADER]: credential.timestamp,
    [OPERATOR_NONCE_HEADER]: credential.nonce,
    [OPERATOR_SIGNATURE_HEADER]: credential.signature,
  };
  return { expectedSubject: SUBJECT, subject: SUBJECT, reply: '_INBOX_operator.abc', header: (name) => headers[name], body, ...overrides };
}

describe('OperatorCredentialVerifier', () => {
  let now = 1_000_000;
  const verifier = () => new OperatorCredentialVerifier(KEY, () => now, 30_000);

  it('accepts a fresh signed request on the control subject, once', () => {
    const v = verifier();
    const facts = signed(now);
    expect(v.verify(facts)).toBeUndefined();
    expect(v.verify(facts)).toBe('replayed-nonce');
  });

  it.each<[string, (at: number) => ControlMessageFacts, string]>([
    ['another subject', (at) => signed(at, { subject: 'iam.v1.control.stats' }), 'wrong-subject'],
    ['no reply inbox', (at) => signed(at, { reply: undefined }), 'no-reply'],
    ['a JetStream ack reply', (at) => signed(at, { reply: '$JS.ACK.IAM_EVENTS.evil.1.1.1.1.0' }), 'jetstream-delivery'],
    ['JetStream headers', (at) => ({ ...signed(at), header: (name: string) => (name === 'Nats-Stream' ? 'IAM_EVENTS' : undefined) }), 'jetstream-delivery'],
    ['no credential', (at) => ({ ...signed(at), header: () => undefined }), 'missing-credential'],
    ['another key', (at) => signed(at, {}, 'x'.repeat(32)), 'bad-signature'],
    ['a tampered body', (at) => signed(at, { body: new TextEncoder().encode('{"service":"*"}') }), 'bad-signature'],
    ['an old timestamp', (at) => signed(at - 31_000), 'stale-credential'],
    ['a future timestamp', (at) => signed(at + 31_000), 'stale-credential'],
  ])('refuses %s', (_what, make, reason) => {
    expect(verifier().verify(make(now))).toBe(reason);
  });

  it('refuses everything when no operator key is configured', () => {
    expect(new OperatorCredentialVerifier(undefined, () => now).verify(signed(now))).toBe('no-operator-key');
  });

  it('forgets nonces once their window has passed (they are stale by then anyway)', () => {
    const v = verifier();
    const facts = signed(now);
    expect(v.verify(facts)).toBeUndefined();
    now += 60_000;
    expect(v.verify(facts)).toBe('stale-credential');
  });
});

describe('addressedTo', () => {
  it('needs the service named, or "*" said explicitly', () => {
    expect(addressedTo('turing', 'turing')).toBe(true);
    expect(addressedTo('*', 'turing')).toBe(true);
    expect(addressedTo(undefined, 'turing')).toBe(false);
    expect(addressedTo(null, 'turing')).toBe(false);
    expect(addressedTo('merlin', 'turing')).toBe(false);
  });
});
