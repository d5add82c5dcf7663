import { StreamPosition } from './stream-position';

describe('StreamPosition', () => {
  it('asks for stream info first, then uses the last PubAck that covers the revision', () => {
    const position = new StreamPosition(1000);
    expect(position.known(3, 0)).toBeNull();
    expect(position.fromStreamInfo(3, 's1', 9, 0)).toEqual({ sequence: 9, stream: 's1' });
    position.acknowledged(4, 10);
    expect(position.known(4, 100)).toEqual({ sequence: 10, stream: 's1' });
    expect(position.known(3, 100)).toEqual({ sequence: 10, stream: 's1' });
  });

  it('needs stream info when the committed revision is past the last PubAck (published by another holder)', () => {
    const position = new StreamPosition(1000);
    position.fromStreamInfo(0, 's1', 0, 0);
    position.acknowledged(4, 4);
    expect(position.known(6, 10)).toBeNull();
    expect(position.fromStreamInfo(6, 's1', 7, 10)).toEqual({ sequence: 7, stream: 's1' });
  });

  it('re-reads the stream every refresh interval, and forgets PubAcks of a re-created stream', () => {
    const position = new StreamPosition(1000);
    position.fromStreamInfo(0, 's1', 0, 0);
    position.acknowledged(5, 5);
    expect(position.known(5, 999)).not.toBeNull();
    expect(position.known(5, 1000)).toBeNull();
    expect(position.fromStreamInfo(5, 's2', 0, 1000)).toEqual({ sequence: 0, stream: 's2' });
    expect(position.known(5, 1001)).toBeNull();
  });

  it('revision 0 needs no event on the stream', () => {
    const position = new StreamPosition(1000);
    position.fromStreamInfo(0, 's1', 0, 0);
    expect(position.known(0, 1)).toEqual({ sequence: 0, stream: 's1' });
  });

  it('forgets everything on reset (the lease changed hands)', () => {
    const position = new StreamPosition(1000);
    position.fromStreamInfo(0, 's1', 0, 0);
    position.acknowledged(2, 2);
    position.reset();
    expect(position.known(2, 1)).toBeNull();
  });

  it('a duplicate PubAck with an older sequence does not move the position back', () => {
    const position = new StreamPosition(1000);
    position.fromStreamInfo(0, 's1', 0, 0);
    position.acknowledged(8, 8);
    position.acknowledged(7, 7);
    expect(position.known(8, 1)).toEqual({ sequence: 8, stream: 's1' });
  });
});
