import { parseAckReply } from './pull-loop';

describe('parseAckReply', () => {
  it.each([
    ['the 9-token form', '$JS.ACK.IAM_EVENTS.authz_turing_ab12.1.4711.9.1732950000000000000.42', { seq: 4711, pending: 42 }],
    ['the 11-token form (domain, account hash)', '$JS.ACK.hub.ACCHASH.IAM_EVENTS.c1.1.4711.9.1732950000000000000.0', { seq: 4711, pending: 0 }],
    ['the 12-token form (with the random token)', '$JS.ACK.hub.ACCHASH.IAM_EVENTS.c1.2.7.3.1732950000000000000.5.xyz123', { seq: 7, pending: 5 }],
    ['a large sequence', '$JS.ACK.S.C.1.9007199254740.1.1.0', { seq: 9007199254740, pending: 0 }],
  ])('reads the stream sequence and pending count from %s', (_form, reply, expected) => {
    expect(parseAckReply(reply)).toEqual(expected);
  });

  it.each([
    ['too few tokens', '$JS.ACK.S.C.1.2.3.4'],
    ['ten tokens', '$JS.ACK.S.C.1.2.3.4.5.6'],
    ['a sequence that is not a number', '$JS.ACK.S.C.1.x7.3.4.5'],
    ['sequence 0', '$JS.ACK.S.C.1.0.3.4.5'],
    ['an empty pending count', '$JS.ACK.S.C.1.2.3.4.'],
    ['a negative pending count', '$JS.ACK.S.C.1.2.3.4.-5'],
    ['a sequence past 15 digits', '$JS.ACK.S.C.1.1234567890123456.3.4.5'],
  ])('refuses %s', (_what, reply) => {
    expect(parseAckReply(reply)).toBeUndefined();
  });
});
