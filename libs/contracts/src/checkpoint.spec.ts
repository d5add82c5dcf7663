import { CheckpointDecodeError, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint';

const valid: Checkpoint = { v: 1, revision: 42, sequence: 40, stream: '2026-11-30T00:00:00.000Z', issuedAt: 1_764_460_800_000, relay: 'authority-1' };

describe('checkpoint codec', () => {
  it('round-trips a valid checkpoint', () => {
    expect(decodeCheckpoint(encodeCheckpoint(valid))).toEqual(valid);
  });

  it.each([
    ['revision', { revision: -1 }],
    ['revision', { revision: 1.5 }],
    ['sequence', { sequence: '3' }],
    ['stream', { stream: '' }],
    ['issuedAt', { issuedAt: null }],
    ['relay', { relay: 7 }],
    ['v', { v: 2 }],
  ])('refuses a bad %s', (field, patch) => {
    const data = new TextEncoder().encode(JSON.stringify({ ...valid, ...patch }));
    expect(() => decodeCheckpoint(data)).toThrow(CheckpointDecodeError);
    try {
      decodeCheckpoint(data);
    } catch (error) {
      expect((error as CheckpointDecodeError).field).toBe(field);
    }
  });

  it('refuses non-JSON and oversized messages', () => {
    expect(() => decodeCheckpoint(new TextEncoder().encode('{'))).toThrow(CheckpointDecodeError);
    expect(() => decodeCheckpoint(new Uint8Array(2048))).toThrow(CheckpointDecodeError);
  });
});
