import { renderProgressLine } from './progress';

describe('renderProgressLine', () => {
  it('draws a proportional bar with counts', () => {
    expect(renderProgressLine({ service: 'turing', instanceId: 'a1', done: 5, total: 10 }, 10)).toBe('turing/a1 [#####.....]  50% 5/10');
  });

  it('never overflows and marks finished instances', () => {
    expect(renderProgressLine({ service: 'merlin', instanceId: 'b2', done: 12, total: 10, finished: 'ok' }, 4)).toBe('merlin/b2 [####] 100% 12/10 done');
    expect(renderProgressLine({ service: 'merlin', instanceId: 'b2', done: 0, total: 0, finished: 'failed' }, 4)).toBe('merlin/b2 [####] 100% 0/0 failed');
    expect(renderProgressLine({ service: 'merlin', instanceId: 'b2', done: 0, total: 0 }, 4)).toBe('merlin/b2 [....]   0% 0/0');
  });
});
