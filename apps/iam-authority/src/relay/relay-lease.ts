import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { RelayLeaseRepository } from '../storage/relay-lease.repository';
import { LeaseState } from './lease-state';

/** Who may relay the outbox (and send checkpoints) right now. */
export interface RelayLease {
  /** This instance's holder id (also the `relay` field of its checkpoints). */
  readonly holder: string;
  /** The epoch held (changes whenever the lease changed hands), or null. */
  readonly epoch: number | null;
  /** Takes or renews the lease when due; true while this instance holds it. Never throws. */
  hold(): Promise<boolean>;
  /** Whether this instance holds an unexpired lease now, by its own monotonic clock (no I/O). */
  isHeld(): boolean;
  /** Gives the lease up (graceful stop) so a standby takes over at its next try. */
  release(): Promise<void>;
}

/** PGlite: one process owns the database, so it always relays. */
export class SoleRelayLease implements RelayLease {
  readonly epoch = 1;
  constructor(readonly holder: string) {}
  hold(): Promise<boolean> {
    return Promise.resolve(true);
  }
  isHeld(): boolean {
    return true;
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}

/** Options of {@link PgRelayLease}. */
export interface PgRelayLeaseOptions {
  /** Lease time to live (IAM_RELAY_LEASE_MS). */
  ttlMs: number;
  /** Renewal interval of the holder (the checkpoint interval). */
  renewEveryMs: number;
  /** Monotonic clock in ms. Default `performance.now`. */
  clock?: () => number;
}

/**
 * The relay lease on PostgreSQL (`relay_lease` row): unlike a session
 * advisory lock, it expires when its holder stops renewing it, even when the
 * holder's database session stays open (a frozen process keeps its
 * connection, and would keep an advisory lock, forever). The holder renews
 * from a timer every `renewEveryMs` so that a long publish does not let it
 * lapse; the relay checks {@link isHeld} before every publish and checkpoint.
 */
export class PgRelayLease implements RelayLease {
  private readonly logger = new Logger('RelayLease');
  private readonly state: LeaseState;
  private readonly clock: () => number;
  private inFlight: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private released = false;
  /** Logs a database failure once per episode, not every try. */
  private failing = false;

  constructor(
    private readonly repository: RelayLeaseRepository,
    readonly holder: string,
    private readonly options: PgRelayLeaseOptions,
  ) {
    this.state = new LeaseState(options.ttlMs, options.renewEveryMs);
    this.clock = options.clock ?? (() => performance.now());
  }

  get epoch(): number | null {
    return this.state.held(this.clock()) ? this.state.epoch : null;
  }

  isHeld(): boolean {
    return !this.released && this.state.held(this.clock());
  }

  hold(): Promise<boolean> {
    if (this.released) return Promise.resolve(false);
    this.inFlight ??= this.step().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  async release(): Promise<void> {
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
    const epoch = this.state.epoch;
    this.state.lost();
    if (epoch !== null) await this.repository.release(this.holder, epoch).catch(() => undefined);
  }

  private async step(): Promise<boolean> {
    const sentAt = this.clock();
    const action = this.state.next(sentAt);
    try {
      if (action === 'acquire') {
        const epoch = await this.repository.tryAcquire(this.holder, this.options.ttlMs);
        if (epoch !== null) {
          this.state.granted(epoch, sentAt);
          this.logger.log(`took the relay lease (epoch ${epoch}): this instance publishes the outbox and the checkpoints`);
          this.startRenewing();
        }
      } else if (action === 'renew') {
        const epoch = this.state.epoch as number;
        if (await this.repository.renew(this.holder, epoch, this.options.ttlMs)) {
          this.state.granted(epoch, sentAt);
        } else {
          this.state.lost();
          this.logger.warn(`lost the relay lease (epoch ${epoch}) to another replica: standing by`);
        }
      }
      this.failing = false;
    } catch (error) {
      // Unknown outcome: the local deadline alone decides until the database answers again.
      if (!this.failing) this.logger.warn(`relay lease ${action} failed (retrying every ${this.options.renewEveryMs} ms): ${(error as Error).message}`);
      this.failing = true;
    }
    return this.isHeld();
  }

  private startRenewing(): void {
    if (this.timer || this.released) return;
    this.timer = setInterval(() => {
      if (this.state.epoch === null) return;
      void this.hold();
    }, this.options.renewEveryMs);
    this.timer.unref();
  }
}
