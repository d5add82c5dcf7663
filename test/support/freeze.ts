import { readFileSync } from 'node:fs';

/**
 * SIGSTOPs `pid` and resolves once every thread of it has stopped. The
 * signal is delivered at once, but a multi-threaded process (nats-server's
 * Go runtime) can finish a read and write one more answer on another core
 * before its last thread parks; a test that freezes a server must not race
 * that. Linux: state `T` in /proc/<pid>/stat; elsewhere it returns at once.
 */
export async function freeze(pid: number, timeoutMs = 2000): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let state: string | undefined;
    try {
      // "pid (comm) S ...": the state follows the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      return; // no /proc (not Linux) or the process is gone
    }
    if (state === 'T' || state === 't' || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
