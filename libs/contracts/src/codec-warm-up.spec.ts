import { decodeEvent, warmUpEventCodec } from './codec';

describe('warmUpEventCodec', () => {
  it('compiles every validator up front, after which decoding behaves the same', () => {
    expect(() => warmUpEventCodec()).not.toThrow();
    const bytes = new TextEncoder().encode(
      JSON.stringify({ id: 'e1', type: 'token.revoked', version: 1, revision: 2, occurredAt: '2026-11-30T00:00:00.000Z', actor: 'a', tags: ['tok:t1'], payload: { tokenId: 't1' } }),
    );
    expect(decodeEvent(bytes)).toMatchObject({ kind: 'error', error: { code: 'EVENT_INVALID_PAYLOAD', field: 'payload.principalId' } });
  });
});
