/** Progress of one instance, as drawn. */
export interface InstanceProgress {
  service: string;
  instanceId: string;
  done: number;
  total: number;
  /** Set once the instance has sent its result. */
  finished?: 'ok' | 'failed';
}

/**
 * One line per instance: `turing/3f2a1c [##########..........]  50% 500/1000`.
 * Pure: the caller decides where (stderr) and whether (a TTY) to draw it.
 */
export function renderProgressLine(progress: InstanceProgress, barWidth = 24): string {
  const ratio = progress.total > 0 ? Math.min(1, progress.done / progress.total) : progress.finished ? 1 : 0;
  const filled = Math.round(ratio * barWidth);
  const bar = '#'.repeat(filled) + '.'.repeat(barWidth - filled);
  const percent = `${Math.round(ratio * 100)}%`.padStart(4);
  const state = progress.finished === 'failed' ? ' failed' : progress.finished === 'ok' ? ' done' : '';
  return `${progress.service}/${progress.instanceId} [${bar}] ${percent} ${progress.done}/${progress.total}${state}`;
}
