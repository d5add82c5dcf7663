import { RevisionWaiters } from './revision-waiters';

describe('RevisionWaiters', () => {
  it('resolves true at once when already reached', async () => {
    await expect(new RevisionWaiters().wait(5, 5, 10)).resolves.toBe(true);
  });

  it('resolves true as soon as the revision is released, without waiting for the timeout', async () => {
    const w = new RevisionWaiters();
    const waiting = w.wait(1, 3, 60_000);
    w.release(2);
    expect(w.pending).toBe(1);
    w.release(3);
    await expect(waiting).resolves.toBe(true);
    expect(w.pending).toBe(0);
  });

  it('resolves false after the timeout and forgets the waiter', async () => {
    const w = new RevisionWaiters();
    await expect(w.wait(1, 3, 5)).resolves.toBe(false);
    expect(w.pending).toBe(0);
    await expect(w.wait(1, 3, 0)).resolves.toBe(false);
  });
});
