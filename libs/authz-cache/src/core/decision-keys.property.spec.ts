import fc from 'fast-check';
import type { CheckResult } from '@iam/contracts';
import { AuthzCacheCore } from './authz-cache-core';
import { decisionKey } from './cache-keys';
import { DecisionKeys } from './decision-keys';
import { ManualClock, settle } from './testing/fake-authority';
import type { DecisionQuery } from './types';

// Principals and actions that look alike, contain NUL or digits/letters of base 36, and a resource that holds NULs.
const PRINCIPALS = ['user:a', 'user:b', 'user:a\u0000', '0', '1', 'a', '10', 'user:a\u00000'];
const ACTIONS = ['read', 'write', 'r', '0', 'read\u0000x'];
const RESOURCES = ['p:1', 'p:1\u00000', '\u0000', '', 'p:10', 'p:1:r:2'];

describe('DecisionKeys (interned principal and action ids)', () => {
  it('a key denotes one question, ever: injective, and never reused for another question after its ids are freed', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            partition: fc.integer({ min: 1, max: 3 }),
            principal: fc.constantFrom(...PRINCIPALS),
            action: fc.constantFrom(...ACTIONS),
            resource: fc.constantFrom(...RESOURCES),
            // What the "cache" does with the key: keep it for a while, or let it go at once.
            keep: fc.boolean(),
            releaseOne: fc.nat(),
          }),
          { maxLength: 300 },
        ),
        (ops) => {
          const keys = new DecisionKeys();
          const meaning = new Map<string, string>(); // key -> the question it was built from, over the whole run
          const held: string[] = [];
          for (const op of ops) {
            const key = keys.key(op.partition, op.principal, op.action, op.resource);
            const question = decisionKey(op.partition, op.principal, op.action, op.resource);
            expect(meaning.get(key) ?? question).toBe(question);
            meaning.set(key, question);
            // Round trip while held.
            keys.retain(key);
            expect(keys.decode(key)).toEqual({ partition: op.partition, query: { principal: op.principal, action: op.action, resource: op.resource } });
            expect(keys.isAbout(key, op.principal)).toBe(true);
            if (op.keep) held.push(key);
            else keys.release(key);
            if (held.length > 0 && op.releaseOne % 3 === 0) keys.release(held.splice(op.releaseOne % held.length, 1)[0]);
          }
          // Records are exactly those of the keys still held.
          const principals = new Set(held.map((k) => keys.decode(k)!.query.principal));
          const actions = new Set(held.map((k) => keys.decode(k)!.query.action));
          expect(keys.size).toEqual({ principals: principals.size, actions: actions.size });
          for (const key of held.splice(0)) keys.release(key);
          expect(keys.size).toEqual({ principals: 0, actions: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a compact key is shorter than the plain question and does not parse as another question', () => {
    const keys = new DecisionKeys();
    const key = keys.key(1, 'user:ann@example.com', 'routers.read', 'projects:42:routers:7');
    expect(key.length).toBeLessThan(decisionKey(1, 'user:ann@example.com', 'routers.read', 'projects:42:routers:7').length - 25);
    expect(keys.decode('1\u0000zz\u00000\u0000x')).toBeUndefined();
    expect(keys.decode('no separators')).toBeUndefined();
  });
});

/*
 * Through the core, with lru-cache's evictions, in-flight loads, soft-stale
 * refreshes, invalidations, flushes and snapshot restores: every answer is
 * the one of its own question, every stored key can still be decoded, and
 * the intern tables hold exactly the principals and actions of stored keys.
 */
describe('AuthzCacheCore with compact decision keys', () => {
  type Op =
    | { kind: 'read'; principal: number; action: number; resource: number }
    | { kind: 'event'; principal: number; revision: number }
    | { kind: 'flushPrincipal'; principal: number }
    | { kind: 'flushPartition' }
    | { kind: 'tick'; ms: number }
    | { kind: 'turns'; n: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('read' as const), principal: fc.nat(5), action: fc.nat(2), resource: fc.nat(5) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('event' as const), principal: fc.nat(5), revision: fc.integer({ min: 1, max: 50 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('flushPrincipal' as const), principal: fc.nat(5) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('flushPartition' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 800 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('turns' as const), n: fc.nat(4) }) },
  );

  it('answers its own question, decodes every stored key, and interns nothing more than the stored keys use', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 12 }), fc.array(fc.array(op, { maxLength: 25 }), { maxLength: 6 }), async (max, rounds) => {
        const clock = new ManualClock();
        let revision = 1;
        const load = async (q: DecisionQuery): Promise<CheckResult> => {
          await Promise.resolve();
          return { allowed: q.action !== 'a1', revision, tags: [`p:${q.principal}`, `r:${q.resource}`, `pol:${q.action}`] };
        };
        const make = () => new AuthzCacheCore({ loadDecision: load, loadIdentity: async () => null, maxDecisions: max, softTtlMs: 500, hardTtlMs: 2_000, now: clock.now });
        let core = make();
        const partitions = [core.claimPartition(), core.claimPartition()];
        for (const round of rounds) {
          const reads: Array<Promise<void>> = [];
          for (const o of round) {
            if (o.kind === 'read') {
              const q = { principal: `u${o.principal}`, action: `a${o.action}`, resource: `r${o.resource}` };
              const partition = partitions[o.resource % 2];
              reads.push(
                core.check(partition, q).then((read) => {
                  expect(read.value.allowed).toBe(q.action !== 'a1');
                  expect(read.value.tags).toEqual([`p:${q.principal}`, `r:${q.resource}`, `pol:${q.action}`]);
                }),
              );
            } else if (o.kind === 'event') {
              revision = Math.max(revision, o.revision);
              core.apply({ type: 'principal.updated', revision: o.revision, tags: [`p:u${o.principal}`] } as never);
            } else if (o.kind === 'flushPrincipal') {
              core.flush({ principal: `u${o.principal}` });
            } else if (o.kind === 'flushPartition') {
              core.flush({ partition: partitions[0] });
            } else if (o.kind === 'tick') {
              clock.advance(o.ms);
            } else {
              await settle(o.n);
            }
          }
          await Promise.all(reads);
          await settle();
          // Quiet: no read in flight.
          const stored = core.stats().decisionEntries;
          const questions = core.recentDecisions(Infinity);
          expect(questions).toHaveLength(stored);
          const size = (core as unknown as { keys: DecisionKeys }).keys.size;
          expect(size).toEqual({
            principals: new Set(questions.map((x) => x.query.principal)).size,
            actions: new Set(questions.map((x) => x.query.action)).size,
          });
          // A snapshot written with plain keys restores into a fresh core as the same questions.
          const snapshot = core.snapshot(1);
          for (const saved of snapshot.decisions) expect(saved.key.split('\u0000')[1]).toMatch(/^u\d$/);
          if (round.length % 2 === 0) {
            core = make();
            partitions.splice(0, 2, core.claimPartition(), core.claimPartition());
            core.restore(snapshot);
            expect(core.recentDecisions(Infinity)).toHaveLength(core.stats().decisionEntries);
          }
        }
        core.flush();
        expect((core as unknown as { keys: DecisionKeys }).keys.size).toEqual({ principals: 0, actions: 0 });
      }),
      { numRuns: 200 },
    );
  });
});
