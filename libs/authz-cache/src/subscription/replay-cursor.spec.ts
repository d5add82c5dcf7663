import fc from 'fast-check';
import { MAX_IDLE_RESTARTS, ReplayCursor } from './replay-cursor';

describe('ReplayCursor', () => {
  it('applies the next sequence, skips what is applied, ends past the end', () => {
    const cursor = new ReplayCursor(5, 3);
    expect(cursor.last).toBe(2);
    expect(cursor.offer(2)).toBe('skip');
    expect(cursor.offer(3)).toBe('apply');
    cursor.applied(3);
    expect(cursor.offer(3)).toBe('skip');
    expect(cursor.offer(4)).toBe('apply');
    cursor.applied(4);
    expect(cursor.complete).toBe(false);
    // 5 not seen yet: 6 means 5 was lost, not that the replay is over.
    expect(cursor.offer(6)).toBe('restart');
    expect(cursor.offer(5)).toBe('apply');
    cursor.applied(5);
    expect(cursor.complete).toBe(true);
    expect(cursor.offer(6)).toBe('end');
  });

  it('ends on a sequence past the end only once everything before it is applied or known gone', () => {
    const cursor = new ReplayCursor(10, 1);
    for (let s = 1; s <= 8; s++) cursor.applied(s);
    expect(cursor.offer(12)).toBe('restart');
    cursor.restarting();
    // The fresh consumer from 9 starts at 12: 9 and 10 were deleted.
    expect(cursor.offer(12)).toBe('end');
  });

  it('re-creates on a jump, and believes the same jump from the fresh consumer only', () => {
    const cursor = new ReplayCursor(100, 1);
    cursor.applied(1);
    expect(cursor.offer(5)).toBe('restart');
    cursor.restarting();
    // The fresh consumer's first message jumps the same way: 2..4 are gone (deleted, purged).
    expect(cursor.offer(5)).toBe('apply');
    cursor.applied(5);
    // A later jump is a lost message again.
    expect(cursor.offer(7)).toBe('restart');
  });

  it('takes the first sequence of a replay by time as it comes', () => {
    const cursor = new ReplayCursor(100);
    expect(cursor.last).toBeUndefined();
    expect(cursor.offer(42)).toBe('apply');
    cursor.applied(42);
    expect(cursor.offer(44)).toBe('restart');
  });

  it.each([
    // [numPending, delivered, received, decision]
    [0, 10, 10, 'end'], // everything sent arrived and nothing is left: the rest is gone
    [0, 0, 0, 'end'], // nothing from the start on (a replay by time past the last event)
    [0, 12, 10, 'restart'], // sent but never received: lost (or still travelling), ask again
    [3, 10, 10, 'restart'], // pending but not sent: a stalled pull
  ] as const)('after an idle window with %i pending, %i delivered, %i received: %s', (numPending, delivered, received, decision) => {
    const cursor = new ReplayCursor(100, 1);
    expect(cursor.idle({ numPending, delivered, received })).toBe(decision);
  });

  it(`fails after ${MAX_IDLE_RESTARTS} idle re-creations in a row without progress, not before`, () => {
    const cursor = new ReplayCursor(100, 1);
    const stalled = { numPending: 5, delivered: 0, received: 0 };
    for (let i = 0; i < MAX_IDLE_RESTARTS; i++) expect(cursor.idle(stalled)).toBe('restart');
    expect(cursor.idle(stalled)).toBe('fail');
    const progressing = new ReplayCursor(100, 1);
    for (let i = 0; i < 3 * MAX_IDLE_RESTARTS; i++) {
      expect(progressing.idle(stalled)).toBe('restart');
      progressing.applied(i + 1);
    }
  });

  /*
   * A replayer driven by the cursor over any delivery schedule: each consumer
   * delivers the existing sequences from its start in order, but may lose any
   * of them (never its first) and may be cut short. Whatever is lost, the
   * replay applies every existing sequence up to `to` exactly once, in order.
   */
  it('applies every existing event exactly once, in order, whatever the deliveries lose', () => {
    const schedule = fc.record({
      to: fc.integer({ min: 1, max: 60 }),
      start: fc.integer({ min: 1, max: 10 }),
      deleted: fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 20 }),
      extra: fc.integer({ min: 0, max: 5 }),
      losses: fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }),
      cutAfter: fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 30, maxLength: 30 }),
    });
    fc.assert(
      fc.property(schedule, ({ to, start, deleted, extra, losses, cutAfter }) => {
        const exists = (s: number) => !deleted.includes(s) || s > to;
        const stream = Array.from({ length: to + extra }, (_, i) => i + 1).filter(exists);
        const cursor = new ReplayCursor(to, start);
        const appliedSeqs: number[] = [];
        let loss = 0;
        let round = 0;
        let over = false;
        while (!over) {
          expect(round).toBeLessThan(200);
          const from = (cursor.last ?? start - 1) + 1;
          const delivered = stream.filter((s) => s >= from).slice(0, cutAfter[round % cutAfter.length]);
          round += 1;
          let received = 0;
          let decided: 'restart' | 'end' | undefined;
          for (const [i, s] of delivered.entries()) {
            if (i > 0 && losses[loss++ % losses.length]) continue; // lost on the way
            received += 1;
            const offer = cursor.offer(s);
            if (offer === 'apply') {
              appliedSeqs.push(s);
              cursor.applied(s);
              if (cursor.complete) {
                decided = 'end';
                break;
              }
            } else if (offer !== 'skip') {
              decided = offer;
              break;
            }
          }
          if (decided === undefined) {
            const numPending = stream.filter((s) => s > (delivered.at(-1) ?? from - 1)).length;
            const idle = cursor.idle({ numPending, delivered: delivered.length, received });
            expect(idle).not.toBe('fail');
            decided = idle === 'fail' ? 'end' : idle;
          }
          if (decided === 'restart') cursor.restarting();
          else over = true;
        }
        expect(appliedSeqs).toEqual(stream.filter((s) => s >= start && s <= to));
      }),
      { numRuns: 200 },
    );
  });
});
