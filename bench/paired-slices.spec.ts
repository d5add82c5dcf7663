import { pairedRatios, quantile } from './paired-slices';

const turns = (rates: Array<[number, number, number]>) => rates.flatMap(([open, guarded, noop]) => [
  { url: 0, requestsPerSec: open },
  { url: 1, requestsPerSec: guarded },
  { url: 2, requestsPerSec: noop },
]);

describe('pairedRatios', () => {
  it('divides each slice by the mean of the base slices around it, leaving out a turn without both', () => {
    const slices = turns([
      [1000, 900, 990],
      [1200, 1100, 1180],
      [1000, 950, 1000],
    ]);
    // guarded slices: 900 between 1000 and 1200, 1100 between 1200 and 1000; the last has no base slice after it.
    expect(pairedRatios(slices, 0, 1)).toEqual([900 / 1100, 1100 / 1100]);
    expect(pairedRatios(slices, 0, 2)).toEqual([990 / 1100, 1180 / 1100]);
  });

  it('a pause in a few slices moves a few pairs, not the median', () => {
    const steady = Array.from({ length: 30 }, (): [number, number, number] => [1000, 930, 990]);
    steady[7] = [1000, 400, 990];
    steady[19] = [300, 930, 990];
    const ratios = pairedRatios(turns(steady), 0, 1);
    expect(quantile(ratios, 0.5)).toBeCloseTo(0.93, 5);
  });

  it('gives nothing for slices of one route only, or none', () => {
    expect(pairedRatios([{ url: 1, requestsPerSec: 5 }], 0, 1)).toEqual([]);
    expect(pairedRatios([], 0, 1)).toEqual([]);
  });
});

describe('quantile', () => {
  it('takes the lower nearest rank', () => {
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([5, 1, 4, 2, 3], 0.1)).toBe(1);
    expect(quantile([5, 1, 4, 2, 3], 0.9)).toBe(5);
  });

  it('refuses no values', () => {
    expect(() => quantile([], 0.5)).toThrow(/no values/);
  });
});
