interface Waiter {
  revision: number;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * Callers waiting for the applied revision to reach a value (consistency
 * tokens). No polling: {@link release} is called on every raise.
 */
export class RevisionWaiters {
  private waiters: Waiter[] = [];

  /** Resolves true once `release(r >= revision)` is called, false after `timeoutMs`. */
  wait(current: number, revision: number, timeoutMs: number): Promise<boolean> {
    if (current >= revision) return Promise.resolve(true);
    if (!(timeoutMs > 0)) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        revision,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      // A wait never keeps the process alive on its own.
      waiter.timer.unref();
      this.waiters.push(waiter);
    });
  }

  /** Resolves every waiter whose revision is now reached. */
  release(current: number): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.revision <= current) {
        clearTimeout(waiter.timer);
        waiter.resolve(true);
      } else {
        still.push(waiter);
      }
    }
    this.waiters = still;
  }

  get pending(): number {
    return this.waiters.length;
  }
}
