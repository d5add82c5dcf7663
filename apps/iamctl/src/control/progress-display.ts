import { renderProgressLine } from '../output/progress';
import type { ControlCollector } from './control-collector';

/**
 * Draws one progress line per instance on a TTY, redrawing in place (ANSI
 * cursor-up), at most every 100 ms. On a non-TTY it draws nothing: logs and
 * pipes get only the final table.
 */
export class ProgressDisplay {
  private drawnLines = 0;
  private lastDrawAt = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly enabled: boolean,
  ) {}

  update(collector: ControlCollector<unknown>, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDrawAt < 100) return;
    this.lastDrawAt = now;
    const lines = collector.progress().map((p) => renderProgressLine(p));
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    this.write(up + lines.map((line) => `\x1b[2K${line}\n`).join(''));
    this.drawnLines = lines.length;
  }
}
