import type { ChildProcess } from 'node:child_process';

/*
 * A nats-server started by this process must never outlive it: a forgotten
 * server keeps its port and storage and makes the next run (or test) fail in
 * confusing ways. Node runs 'exit' listeners synchronously, which is enough
 * for a SIGKILL. A parent that is itself SIGKILLed cannot be helped here;
 * its servers log to a file in their data directory.
 */

const live = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone: nothing to clean up.
    }
  }
  live.clear();
}

/** Tracks `child` until it exits; kills it if this process exits first. */
export function killOnParentExit(child: ChildProcess): void {
  if (!installed) {
    process.once('exit', killAll);
    installed = true;
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
}
