import { Logger } from '@nestjs/common';
import { IamEvent } from '@iam/contracts';
import type { ModelChanges } from '../storage/model.repository';
import { ModelSnapshot } from './authority-model';
import { ModelFollower, ModelSource } from './model-follower';

/*
 * ModelFollower against an in-memory stand-in of the database: an outbox,
 * a revision counter, and a NOTIFY hook. Each case states which facts the
 * database holds and what the model must then answer.
 */

const ADA = 'user:ada@example.com';

function event(revision: number, type: string, payload: Record<string, unknown>): IamEvent {
  return { id: `e${revision}`, revision, type, payload, tags: [], time: new Date(0).toISOString(), actor: 'test' } as unknown as IamEvent;
}

const principalCreated = (revision: number, id = ADA) => event(revision, 'principal.created', { principalId: id });
const allowAll = (revision: number, policyId = 'pol_0000000000000001') =>
  event(revision, 'policy.created', { policyId, subjects: [ADA], actions: ['*'], resources: ['**'], effect: 'allow' });

/** The database as the follower sees it. */
class FakeSource implements ModelSource {
  counter = 0;
  outbox: IamEvent[] = [];
  reads = 0;
  loads = 0;
  signal: ((revision: number) => void) | null = null;
  snapshot: ModelSnapshot = { revision: 0, principals: [], groups: [], memberships: [], roles: [], policies: [] };

  /** A commit of "another replica": in the outbox, counter moved. */
  commit(e: IamEvent): void {
    this.outbox.push(e);
    this.counter = e.revision;
  }

  async loadSnapshot(): Promise<ModelSnapshot> {
    this.loads += 1;
    return { ...this.snapshot, revision: Math.max(this.snapshot.revision, this.counter) };
  }

  async changesSince(after: number): Promise<ModelChanges> {
    this.reads += 1;
    return { revision: this.counter, events: this.outbox.filter((e) => e.revision > after), truncated: false };
  }

  async currentRevision(): Promise<number> {
    return this.counter;
  }

  async listen(_channel: string, onSignal: (revision: number) => void) {
    this.signal = onSignal;
    return async () => {
      this.signal = null;
    };
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ModelFollower', () => {
  let source: FakeSource;
  let follower: ModelFollower;

  beforeEach(async () => {
    source = new FakeSource();
    follower = new ModelFollower(source, { pollMs: 0, acknowledgeWaitMs: 200 });
    await follower.start();
  });

  afterEach(() => follower.stop());

  it("applies this replica's commits in order without reading the database, and raises the acknowledged floor", async () => {
    source.commit(principalCreated(1));
    await follower.committed(principalCreated(1));
    source.commit(allowAll(2));
    await follower.committed(allowAll(2));
    expect(follower.revision).toBe(2);
    expect(follower.acknowledged).toBe(2);
    expect(follower.model.check(ADA, 'x.y', 'a:b')).toMatchObject({ allowed: true, revision: 2 });
    expect(source.reads).toBe(0);
  });

  it("holds a commit that follows another replica's, reads the gap from the outbox, and applies both in revision order", async () => {
    source.commit(principalCreated(1)); // another replica
    source.commit(allowAll(2)); // this replica
    await follower.committed(allowAll(2));
    expect(source.reads).toBeGreaterThan(0);
    expect(follower.revision).toBe(2);
    expect(follower.model.check(ADA, 'x.y', 'a:b').allowed).toBe(true);
  });

  it('reads the outbox on a NOTIFY for a revision it does not have, and not for one it has', async () => {
    source.commit(principalCreated(1));
    source.signal!(1);
    await settle();
    expect(follower.revision).toBe(1);
    const reads = source.reads;
    source.signal!(1);
    await settle();
    expect(source.reads).toBe(reads);
  });

  it('reloads over a revision without its event (a raised counter, a row gone), never skipping it', async () => {
    source.counter = 7;
    expect(await follower.waitFor(7, 200)).toBe(true);
    expect(follower.revision).toBe(7);
    expect(source.loads).toBe(2);
    // A gap inside the events read: reload too.
    source.commit(principalCreated(9));
    source.snapshot = { ...source.snapshot, principals: [{ id: ADA, disabled: false }] };
    expect(await follower.waitFor(9, 200)).toBe(true);
    expect(source.loads).toBe(3);
    expect(follower.model.check(ADA, 'x', 'y').tags).toEqual([`p:${ADA}`, 'r:y']);
    source.commit(allowAll(10));
    await follower.committed(allowAll(10));
    expect(follower.revision).toBe(10);
    expect(source.loads).toBe(3);
  });

  it('answers "not reached" after the wait when the database does not have the revision, and the floor stays', async () => {
    expect(await follower.waitFor(5, 20)).toBe(false);
    expect(follower.revision).toBe(0);
    // A commit the model cannot reach (its event never shows up): the floor is raised anyway.
    await follower.committed(principalCreated(3));
    expect(follower.acknowledged).toBe(3);
    expect(follower.revision).toBeLessThan(3);
  });

  it('reloads from a snapshot when an event cannot be applied, instead of guessing', async () => {
    source.snapshot = { revision: 1, principals: [{ id: ADA, disabled: false }], groups: [], memberships: [], roles: [], policies: [] };
    source.commit(event(1, 'something.new', {}));
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await follower.committed(event(1, 'something.new', {}));
      expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^cannot apply revision 1 \(.*something\.new.*\): reloading the model$/));
    } finally {
      logged.mockRestore();
    }
    expect(source.loads).toBe(2);
    expect(follower.revision).toBe(1);
    expect(follower.model.check(ADA, 'x.y', 'a:b').tags).toEqual([`p:${ADA}`, 'r:a:b']);
  });

  it('ignores an offered event the model already has', async () => {
    source.commit(principalCreated(1));
    source.commit(allowAll(2));
    await follower.waitFor(2, 200);
    follower.offer(principalCreated(1));
    expect(follower.revision).toBe(2);
  });

  it('answers pending waits "not reached" when stopped', async () => {
    const wait = follower.waitFor(50, 10_000);
    await follower.stop();
    expect(await wait).toBe(false);
  });
});
