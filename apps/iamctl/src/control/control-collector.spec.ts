import { ControlCollector, summariseOutcomes } from './control-collector';

const progress = (instanceId: string, done: number, total: number) => ({ kind: 'progress', service: 'turing', instanceId, done, total });
const result = (instanceId: string, ok = true) => ({ kind: 'result', service: 'turing', instanceId, ok, result: { applied: 3 } });

describe('ControlCollector', () => {
  it('ends after the quiet period when everyone answered', () => {
    const c = new ControlCollector(0, { quietMs: 1000 });
    c.receive(result('a'), 100);
    c.receive(result('b'), 200);
    expect(c.isDone(1100)).toBe(false);
    expect(c.isDone(1200)).toBe(true);
    expect(c.outcomes().map((o) => o.instanceId)).toEqual(['a', 'b']);
  });

  it('ends after the quiet period with nobody answering', () => {
    const c = new ControlCollector(0, { quietMs: 1000 });
    expect(c.isDone(999)).toBe(false);
    expect(c.isDone(1000)).toBe(true);
    expect(c.outcomes()).toEqual([]);
  });

  it('keeps waiting past the quiet period for an instance that reported progress', () => {
    const c = new ControlCollector(0, { quietMs: 1000, timeoutMs: 5000 });
    c.receive(progress('a', 1, 10), 100);
    expect(c.isDone(3000)).toBe(false);
    c.receive(progress('a', 9, 10), 4000);
    expect(c.isDone(8000)).toBe(false);
    c.receive(result('a'), 8500);
    expect(c.isDone(9000)).toBe(false);
    expect(c.isDone(9500)).toBe(true);
    expect(c.progress()).toEqual([{ service: 'turing', instanceId: 'a', done: 9, total: 10, finished: 'ok' }]);
  });

  it('gives up on a silent instance after the timeout and reports it unfinished', () => {
    const c = new ControlCollector(0, { quietMs: 1000, timeoutMs: 5000 });
    c.receive(progress('a', 1, 10), 100);
    c.receive(result('b', false), 200);
    expect(c.isDone(5099)).toBe(false);
    expect(c.nextCheckAt(1000)).toBe(5100);
    expect(c.isDone(5100)).toBe(true);
    expect(summariseOutcomes(c.outcomes())).toEqual({ ok: 0, failed: 1, unfinished: 1 });
  });

  it('stops as soon as the expected number of results arrived', () => {
    const c = new ControlCollector(0, { quietMs: 1000, expect: 2 });
    c.receive(result('a'), 10);
    expect(c.isDone(20)).toBe(false);
    c.receive(result('b'), 30);
    expect(c.isDone(30)).toBe(true);
  });

  it('ignores messages that are not control messages', () => {
    const c = new ControlCollector(0, { quietMs: 1000 });
    c.receive({ hello: 'world' }, 500);
    c.receive('x', 500);
    expect(c.ignoredMessages).toBe(2);
    expect(c.isDone(1000)).toBe(true);
  });
});
