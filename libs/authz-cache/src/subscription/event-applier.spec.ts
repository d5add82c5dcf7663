import { Logger } from '@nestjs/common';
import { createEvent, encodeEvent, IamEvent } from '@iam/contracts';
import { AuthzCacheCore } from '../core/authz-cache-core';
import { answer, ControlledDecisions } from '../core/testing/fake-authority';
import type { DecisionQuery } from '../core/types';
import { AuthzMetrics } from '../metrics/authz-metrics';
import { EventApplier } from './event-applier';

const ann: DecisionQuery = { principal: 'user:ann@x.io', action: 'routers.read', resource: 'projects:1' };
const bob: DecisionQuery = { principal: 'user:bob@x.io', action: 'routers.read', resource: 'projects:2' };
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

function deleted(resource: string, revision: number): IamEvent {
  return createEvent({ type: 'resource.deleted', revision, actor: 'test', tags: [`r:${resource}`], payload: { resource } });
}

/** Counter value of one label set (0 when never incremented). */
async function count(counter: { get(): Promise<{ values: Array<{ value: number; labels: object }> }> }, labels: object = {}): Promise<number> {
  const found = (await counter.get()).values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels));
  return found?.value ?? 0;
}

describe('EventApplier', () => {
  let core: AuthzCacheCore;
  let metrics: AuthzMetrics;
  let believed: Array<{ revision: number; tags: readonly string[] }>;
  let trust: boolean;
  let applier: EventApplier;
  let partition: number;
  const answerRevision = 1;

  beforeEach(async () => {
    // The answers reflect revision 1: events above it invalidate them.
    core = new AuthzCacheCore({ loadDecision: new ControlledDecisions((q) => answer(q, answerRevision)).load, loadIdentity: async () => null });
    metrics = new AuthzMetrics({ service: 'test' });
    believed = [];
    trust = true;
    applier = new EventApplier(core, metrics, (revision, tags) => {
      believed.push({ revision, tags });
      return trust;
    });
    partition = core.claimPartition();
    await core.check(partition, ann);
    await core.check(partition, bob);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  const source = async (query: DecisionQuery) => (await core.check(partition, query)).source;

  it('applies a believed event: removes what its tags match, records its revision, counts it by type', async () => {
    const event = deleted('projects:1', 2);
    expect(applier.apply(encodeEvent(event), 10)).toEqual({
      kind: 'event',
      type: 'resource.deleted',
      revision: 2,
      occurredAt: event.occurredAt,
      removed: 1,
      trusted: true,
    });
    expect(believed).toEqual([{ revision: 2, tags: ['r:projects:1'] }]);
    expect(core.appliedRevision).toBe(2);
    // Gone, and the revision guard now refuses to cache the authority's revision-1 answer for it.
    expect(await source(ann)).toBe('bypass');
    expect(await source(bob)).toBe('hit');
    expect(await count(metrics.invalidations, { event_type: 'resource.deleted' })).toBe(1);
    expect(await count(metrics.invalidatedEntries, { event_type: 'resource.deleted' })).toBe(1);
  });

  it('applies an event whose revision is not believed conservatively: its entries go, its revision is not recorded', async () => {
    trust = false;
    const result = applier.apply(encodeEvent(deleted('projects:1', 1_000_000_000_000)), 11);
    expect(result).toMatchObject({ kind: 'event', removed: 1, trusted: false });
    expect(core.appliedRevision).toBe(0);
    expect(await source(ann)).toBe('miss');
    expect(await source(bob)).toBe('hit');
    // A forged revision did not become a floor: the reloaded answer at revision 1 is cached again.
    expect(await source(ann)).toBe('hit');
  });

  it('applies an event of a higher version as a conservative flush of what it names, whatever the entries revisions', async () => {
    const future = { ...deleted('projects:1', 1), version: 99, type: 'resource.archived' };
    const result = applier.apply(bytes(future), 12);
    expect(result).toMatchObject({ kind: 'unreadable', type: 'resource.archived', revision: 1, removed: 1, trusted: true });
    expect(await source(ann)).toBe('miss');
    expect(await source(bob)).toBe('hit');
    expect(await count(metrics.invalidations, { event_type: 'unreadable' })).toBe(1);
    expect(Logger.prototype.warn).toHaveBeenCalledWith(expect.stringContaining('applied as a conservative flush'));
  });

  it('flushes everything for an unreadable event that names nothing it could touch', async () => {
    const future = { ...deleted('x', 2), version: 99, type: 'tenant.merged', tags: [], payload: { note: 'opaque' } };
    expect(applier.apply(bytes(future), 13)).toMatchObject({ kind: 'unreadable', removed: 2 });
    expect(await source(ann)).toBe('miss');
    expect(await source(bob)).toBe('miss');
  });

  it('finds the principals in an unreadable payload and removes their decisions', async () => {
    const future = { ...deleted('x', 2), version: 99, type: 'principal.merged', tags: [], payload: { from: { id: 'user:bob@x.io' } } };
    expect(applier.apply(bytes(future), 14)).toMatchObject({ kind: 'unreadable', removed: 1 });
    expect(await source(ann)).toBe('hit');
    expect(await source(bob)).not.toBe('hit');
  });

  it.each([
    ['bytes that are not JSON', new TextEncoder().encode('{not json')],
    ['an envelope without tags', bytes({ ...deleted('projects:1', 2), tags: undefined })],
    ['a known type with a bad payload', bytes({ ...deleted('projects:1', 2), payload: { resource: 42 } })],
  ])('skips %s: counted as malformed, logged, the cache untouched, never thrown', async (_what, data) => {
    expect(applier.apply(data, 15)).toEqual({ kind: 'malformed', removed: 0 });
    expect(await count(metrics.malformedEvents)).toBe(1);
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining('malformed event at seq 15 skipped'));
    expect(believed).toEqual([]);
    expect(await source(ann)).toBe('hit');
    expect(core.appliedRevision).toBe(0);
  });

  it('fails closed when the core cannot apply a valid event: flushes everything, counts it, keeps going', async () => {
    jest.spyOn(core, 'apply').mockImplementationOnce(() => {
      throw new Error('index corrupted');
    });
    expect(applier.apply(encodeEvent(deleted('projects:1', 2)), 16)).toEqual({ kind: 'malformed', removed: 2 });
    expect(await count(metrics.malformedEvents)).toBe(1);
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining('could not be applied (index corrupted): cache flushed (2 entries)'));
    expect(await source(ann)).toBe('miss');
    expect(await source(bob)).toBe('miss');
    // The next event is applied normally.
    expect(applier.apply(encodeEvent(deleted('projects:2', 3)), 17)).toMatchObject({ kind: 'event', removed: 1, trusted: true });
  });

  it('does not throw even when the flush after a failure fails too', () => {
    jest.spyOn(core, 'apply').mockImplementation(() => {
      throw new Error('broken');
    });
    jest.spyOn(core, 'flush').mockImplementation(() => {
      throw new Error('also broken');
    });
    expect(applier.apply(encodeEvent(deleted('projects:1', 2)), 18)).toEqual({ kind: 'malformed', removed: 0 });
  });
});
