import fc from 'fast-check';
import { FreshnessLease } from './freshness-lease';
import { SubscriptionDecisions } from './subscription-decisions';

const STREAM = '2026-01-01T00:00:00Z';
const INTERVAL = 250;

/** A live subscription at `applied` on STREAM, driven by a manual clock. */
function live(applied = 10): SubscriptionDecisions {
  const d = new SubscriptionDecisions({ checkpointIntervalMs: INTERVAL });
  d.running = true;
  d.connected = true;
  d.startAt(applied, STREAM, applied);
  d.consumerUp();
  return d;
}

/** A checkpoint issued `ageMs` before receipt (wall clock 1_000_000 at receipt). */
function cp(revision: number, sequence: number, ageMs = 0, stream = STREAM) {
  return { revision, sequence, stream, issuedAt: 1_000_000 - ageMs };
}
const WALL = 1_000_000;

describe('FreshnessLease.provesAt', () => {
  it.each([
    ['on time', 0, 5000],
    ['delayed 3 s (frozen broker, paused process)', 3000, 2000],
    ['from the future (clock skew) counts as on time', -500, 5000],
  ])('%s', (_label, age, expected) => {
    expect(FreshnessLease.provesAt({ issuedAt: WALL - age }, 5000, WALL)).toBe(expected);
  });
});

describe('SubscriptionDecisions', () => {
  it('is degraded before the first checkpoint, fresh after one whose sequence is applied', () => {
    const d = live(10);
    expect(d.degradedReason(1000)).toBe('no checkpoint received yet');
    expect(d.degradedAt(1000)).toBe(true);
    d.checkpoint(cp(5, 10), 1000, WALL);
    expect(d.lease.freshAsOf).toBe(1000);
    expect(d.degradedAt(1000)).toBe(false);
    expect(d.degradedReason(1000 + 2 * INTERVAL)).toBeUndefined();
  });

  it('a checkpoint ahead of the applied sequence waits for its events, then renews as of its receipt', () => {
    const d = live(10);
    expect(d.checkpoint(cp(7, 12), 1000, WALL)).toEqual({ checkStream: false });
    expect(d.lease.freshAsOf).toBe(-Infinity);
    d.position(11);
    d.applied(11);
    expect(d.lease.freshAsOf).toBe(-Infinity);
    d.applied(12);
    expect(d.lease.freshAsOf).toBe(1000);
    expect(d.trust.trusted).toBe(7);
  });

  it('a delayed checkpoint proves only the time it was issued', () => {
    const d = live(10);
    d.checkpoint(cp(5, 10, 8000), 20_000, WALL);
    expect(d.lease.freshAsOf).toBe(12_000);
    expect(d.degradedReason(20_000)).toMatch(/^no checkpoint for 0 ms$/);
  });

  it.each([
    ['no checkpoint for a while', (d: SubscriptionDecisions) => d.checkpoint(cp(5, 10), 1000, WALL), 1000 + 1200, /^no checkpoint for 1200 ms$/],
    [
      'a checkpoint ahead of applied',
      (d: SubscriptionDecisions) => {
        d.checkpoint(cp(5, 10), 1000, WALL);
        d.checkpoint(cp(57, 15), 1100, WALL);
      },
      1700,
      /^checkpoint revision 57 \(seq 15\) ahead of applied seq 10 \(revision 5\) for 600 ms$/,
    ],
    [
      'checkpoints of another stream',
      (d: SubscriptionDecisions) => d.checkpoint(cp(5, 10, 0, 'other'), 1000, WALL),
      1000,
      /another stream/,
    ],
    ['disconnected', (d: SubscriptionDecisions) => void (d.connected = false), 0, /^NATS disconnected$/],
    ['consumer down', (d: SubscriptionDecisions) => d.consumerDown(), 0, /^subscription down$/],
    ['stream missing', (d: SubscriptionDecisions) => d.streamNotFound(), 0, /not found/],
  ])('says why it is degraded: %s', (_label, act, now, reason) => {
    const d = live(10);
    act(d);
    expect(d.degradedReason(now)).toMatch(reason);
    expect(d.degradedAt(now)).toBe(true);
  });

  it('reconnecting does not clear degraded mode; a renewed lease does', () => {
    const d = live(10);
    d.checkpoint(cp(5, 10), 1000, WALL);
    d.connected = false;
    expect(d.degradedAt(1100)).toBe(true);
    d.connected = true;
    expect(d.degradedAt(5000)).toBe(true);
    d.checkpoint(cp(5, 10), 5000, WALL);
    expect(d.degradedAt(5000)).toBe(false);
  });

  it('re-creates the consumer when a checkpoint stays ahead for more than ~2 intervals, once per period', () => {
    const d = live(10);
    d.checkpoint(cp(6, 11), 1000, WALL);
    expect(d.tick(1000 + 2 * INTERVAL)).toBeUndefined();
    expect(d.tick(1000 + 3 * INTERVAL)).toBe('checkpoint-ahead');
    expect(d.tick(1000 + 3 * INTERVAL + 10)).toBeUndefined();
    expect(d.tick(1000 + 6 * INTERVAL)).toBe('checkpoint-ahead');
    d.applied(11);
    expect(d.tick(1000 + 9 * INTERVAL)).toBeUndefined();
  });

  it('does not re-create the consumer while checkpoints are reached promptly (a busy stream)', () => {
    const d = live(0);
    let seq = 0;
    for (let t = 0; t < 10_000; t += 50) {
      d.checkpoint(cp(seq + 2, seq + 2), t, WALL);
      d.applied(++seq);
      d.applied(++seq);
      expect(d.tick(t + 25)).toBeUndefined();
    }
  });

  describe('revision trust', () => {
    it('starts from the first checkpoint, never from the stream', () => {
      const d = live(10);
      expect(d.believe(11, ['p:a'])).toBe(false); // before any checkpoint
      d.applied(11);
      d.checkpoint(cp(11, 11), 1000, WALL);
      expect(d.trust.trusted).toBe(11);
      expect(d.believe(12, ['p:a'])).toBe(true);
      expect(d.trust.trusted).toBe(12);
    });

    it('refuses a jump and remembers it until a checkpoint vouches', () => {
      const d = live(10);
      d.checkpoint(cp(10, 10), 1000, WALL);
      expect(d.believe(13, ['p:x'])).toBe(false);
      d.applied(11);
      expect(d.trust.trusted).toBe(10);
      const vouched = d.checkpoint(cp(13, 11), 1100, WALL).vouched;
      expect(d.trust.trusted).toBe(13);
      expect(vouched).toEqual([{ revision: 13, tags: ['p:x'] }]);
    });

    it('a forged revision 10^12 never becomes trusted, and the next real event still is', () => {
      const d = live(10);
      d.checkpoint(cp(10, 10), 1000, WALL);
      expect(d.believe(1e12, ['p:x'])).toBe(false);
      d.applied(11);
      expect(d.believe(11, ['p:y'])).toBe(true);
      d.applied(12);
      expect(d.trust.trusted).toBe(11);
      d.checkpoint(cp(11, 12), 1100, WALL);
      expect(d.trust.trusted).toBe(11);
    });
  });

  describe('stream checks', () => {
    it('takes a late reply (requested before a burst) for what it is', () => {
      const d = live(100);
      d.applied(500);
      expect(d.streamInfo({ first_seq: 1, last_seq: 100, created: STREAM }, 100, 0)).toEqual({ kind: 'ok' });
    });

    it('confirms a rewind before flushing, degraded meanwhile', () => {
      const d = live(100);
      expect(d.streamInfo({ first_seq: 1, last_seq: 50, created: STREAM }, 100, 0)).toEqual({ kind: 'confirming' });
      expect(d.degradedReason(0)).toMatch(/gap suspected/);
      const verdict = d.streamInfo({ first_seq: 1, last_seq: 50, created: STREAM }, 100, 1500);
      expect(verdict).toMatchObject({ kind: 'gap', recreate: true, resumeAfter: 0 });
      expect(d.appliedSequence).toBe(0);
    });

    it('flushes at once for a recreated stream and forgets pending checkpoints', () => {
      const d = live(100);
      d.checkpoint(cp(9, 120), 0, WALL);
      expect(d.streamInfo({ first_seq: 1, last_seq: 3, created: 'new' }, 100, 0)).toMatchObject({ kind: 'gap', recreate: true });
      expect(d.lease.oldestPending).toBeUndefined();
      expect(d.stream).toBe('new');
    });
  });

  describe('properties', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('checkpoint' as const), ahead: fc.integer({ min: -3, max: 5 }), age: fc.integer({ min: -100, max: 3000 }) }),
      fc.record({ kind: fc.constant('apply' as const) }),
      fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 2000 }) }),
      fc.record({ kind: fc.constant('forged' as const), revision: fc.integer({ min: 2, max: 1e9 }) }),
    );

    it('is never fresh while an event at or below a received checkpoint is unapplied; freshAsOf never moves back; forged revisions never trusted', () => {
      fc.assert(
        fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
          const d = live(0);
          let now = 0;
          let published = 0; // events on the stream (real ones: revision = sequence)
          let forgedSeqs = new Set<number>();
          let lastFresh = d.lease.freshAsOf;
          const received: Array<{ sequence: number; provesAt: number }> = [];
          for (const s of steps) {
            if (s.kind === 'tick') now += s.dt;
            else if (s.kind === 'forged') {
              published += 1;
              forgedSeqs.add(published);
            } else if (s.kind === 'checkpoint') {
              const sequence = Math.max(0, Math.min(published, d.appliedSequence + s.ahead));
              let revision = 0;
              for (let q = 1; q <= sequence; q++) if (!forgedSeqs.has(q)) revision += 1;
              d.checkpoint({ revision, sequence, stream: STREAM, issuedAt: WALL - s.age }, now, WALL);
              received.push({ sequence, provesAt: now - Math.max(0, s.age) });
            } else if (d.appliedSequence < published) {
              const seq = d.appliedSequence + 1;
              if (forgedSeqs.has(seq)) {
                d.believe(1e12 + seq, ['p:x']);
              } else {
                let revision = 0;
                for (let q = 1; q <= seq; q++) if (!forgedSeqs.has(q)) revision += 1;
                d.believe(revision, ['p:y']);
              }
              d.applied(seq);
            }
            // freshAsOf never moves backwards
            expect(d.lease.freshAsOf).toBeGreaterThanOrEqual(lastFresh);
            lastFresh = d.lease.freshAsOf;
            // fresh as of t only through a checkpoint proving t whose every event is applied
            const justified = Math.max(-Infinity, ...received.filter((r) => r.sequence <= d.appliedSequence).map((r) => r.provesAt));
            expect(d.lease.freshAsOf).toBeLessThanOrEqual(justified);
            // the trusted revision is never a forged one, and never beyond the real events applied
            let realApplied = 0;
            for (let q = 1; q <= d.appliedSequence; q++) if (!forgedSeqs.has(q)) realApplied += 1;
            expect(d.trust.trusted).toBeLessThanOrEqual(realApplied);
          }
          forgedSeqs = new Set();
        }),
        { numRuns: 300 },
      );
    });
  });
});
