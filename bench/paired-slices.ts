import type { SliceRate } from './http-load';

/**
 * Per turn, slice `of`'s rate over the mean of the `base` slices right
 * before and right after it (bracketing cancels a drift across the turn).
 * Turns missing either neighbour are left out.
 */
export function pairedRatios(slices: readonly SliceRate[], base: number, of: number): number[] {
  const ratios: number[] = [];
  for (let i = 0; i < slices.length; i++) {
    if (slices[i].url !== of) continue;
    let before: number | undefined;
    let after: number | undefined;
    for (let j = i - 1; j >= 0 && before === undefined; j--) if (slices[j].url === base) before = slices[j].requestsPerSec;
    for (let j = i + 1; j < slices.length && after === undefined; j++) if (slices[j].url === base) after = slices[j].requestsPerSec;
    if (before === undefined || after === undefined || before + after === 0) continue;
    ratios.push(slices[i].requestsPerSec / ((before + after) / 2));
  }
  return ratios;
}

/** The value at fraction `q` of the sorted values (nearest rank, lower). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
