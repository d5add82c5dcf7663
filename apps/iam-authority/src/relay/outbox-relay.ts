import { Logger } from '@nestjs/common';
import { subjectFor } from '@iam/contracts';
import { NatsConnection } from 'nats';
import type { PoolClient } from 'pg';
import { AuthorityMetrics } from '../observability/authority-metrics';
import { OUTBOX_CHANNEL } from '../domain/mutation-runner';
import { Database, toNumber } from '../storage/database';
import { PgDatabase } from '../storage/pg-database';
import { NatsConnector } from './nats-connector';
import { alignRevisionWithStream } from './revision-alignment';
import { provisionEventStream } from './stream-provisioner';

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  streamReplicas: number;
  /** Safety poll when no wake-up came (another replica's commits, a missed signal). Default 1000 ms. */
  pollMs?: number;
  /** Rows read per round. Default 100. */
  batchSize?: number;
  /** Retry delay after a failure, doubled up to `maxBackoffMs`. Default 100 ms. */
  initialBackoffMs?: number;
  /** Default 5000 ms. */
  maxBackoffMs?: number;
  /** TEST HOOK: SIGKILL this process just before the first publish. */
  crashBeforePublish?: boolean;
}

/** Advisory lock key: at most one relay per database publishes. */
export const RELAY_LOCK_KEY = 7_262_002;

/**
 * Publishes outbox rows to JetStream in revision order, one at a time, with
 * `Nats-Msg-Id` = event id, and marks each published once JetStream
 * acknowledged it. A crash between the ack and the mark republishes the row
 * on restart; JetStream drops the duplicate (duplicate window >= 2 min).
 *
 * Woken right after each commit ({@link wake}: in-process, and on PostgreSQL
 * through LISTEN/NOTIFY on the lock connection, so commits of every replica
 * wake the active relay), with a slow safety poll;
 * failures (NATS down, stream missing) back off and retry forever. Only the
 * holder of the PostgreSQL advisory lock publishes (PGlite: one process).
 */
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private stopped = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private streamReady = false;
  private lockClient: PoolClient | null = null;
  private lockHeld: boolean;
  private failing = false;
  private publishedTotal = 0;
  private lastErrorMessage: string | null = null;
  private interruptSleep: (() => void) | null = null;

  constructor(
    private readonly db: Database,
    private readonly nats: NatsConnector,
    private readonly metrics: AuthorityMetrics,
    private readonly options: OutboxRelayOptions,
  ) {
    this.lockHeld = db.kind === 'pglite';
    nats.onConnect(() => {
      this.streamReady = false;
      this.wake();
    });
  }

  /** Starts the publishing loop (resumes from every unpublished row). */
  start(): void {
    this.loop ??= this.run();
  }

  /** Wakes the loop now (called after every commit). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /** Stops the loop after the publish in flight, and releases the lock. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.interruptSleep?.();
    await this.loop?.catch(() => undefined);
    await this.releaseLock();
  }

  /** Rows not yet published. */
  async backlog(): Promise<number> {
    const [row] = await this.db.query<{ n: unknown }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL');
    const backlog = toNumber(row.n);
    this.metrics.outboxBacklog.set(backlog);
    return backlog;
  }

  /** For /health: whether this relay publishes (holds the lock), and how it fares. */
  status(): { active: boolean; published: number; lastError: string | null } {
    return { active: this.lockHeld, published: this.publishedTotal, lastError: this.failing ? this.lastErrorMessage : null };
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    const initialBackoff = this.options.initialBackoffMs ?? 100;
    let backoff = initialBackoff;
    while (!this.stopped) {
      try {
        if (!this.lockHeld && !(await this.acquireLock())) {
          await this.waitForWake(pollMs * 5);
          continue;
        }
        const nc = this.nats.connection;
        if (!nc || !this.nats.isConnected) {
          await this.waitForWake(pollMs);
          continue;
        }
        if (!this.streamReady) {
          await provisionEventStream(nc, this.options.streamReplicas);
          const raised = await alignRevisionWithStream(this.db, nc);
          if (raised) {
            this.logger.warn(
              `database revision ${raised.from} is behind the stream's newest event (revision ${raised.to}): ` +
                `the database was reset or restored while the stream was kept; continuing from revision ${raised.to} ` +
                'so that revisions (consistency tokens) stay monotonic on the stream',
            );
          }
          this.streamReady = true;
        }
        const published = await this.publishBatch(nc);
        if (this.failing) this.logger.log('publishing again');
        this.failing = false;
        backoff = initialBackoff;
        if (published < (this.options.batchSize ?? 100)) await this.waitForWake(pollMs);
      } catch (error) {
        this.metrics.relayErrors.inc();
        this.lastErrorMessage = (error as Error).message;
        if (!this.failing) this.logger.warn(`relay failed, retrying with backoff: ${this.lastErrorMessage}`);
        this.failing = true;
        // A missing stream (purged, deleted, server storage lost) is provisioned again.
        this.streamReady = false;
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5000);
      }
    }
  }

  private async publishBatch(nc: NatsConnection): Promise<number> {
    const rows = await this.db.query<{ revision: unknown; event_id: string; event_type: string; event: unknown }>(
      'SELECT revision, event_id, event_type, event FROM outbox WHERE published_at IS NULL ORDER BY revision LIMIT $1',
      [this.options.batchSize ?? 100],
    );
    const js = nc.jetstream();
    for (const row of rows) {
      if (this.stopped) break;
      if (this.options.crashBeforePublish) {
        this.logger.warn(`IAM_TEST_CRASH_BEFORE_PUBLISH: killing this process before publishing revision ${String(row.revision)} (test hook)`);
        // A short pause lets the HTTP response of the committed mutation leave first; nothing is published meanwhile.
        await new Promise((resolvePause) => setTimeout(resolvePause, 200));
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined);
      }
      const json = typeof row.event === 'string' ? row.event : JSON.stringify(row.event);
      await js.publish(subjectFor(row.event_type), new TextEncoder().encode(json), { msgID: row.event_id, timeout: 5000 });
      await this.db.query('UPDATE outbox SET published_at = now() WHERE revision = $1', [toNumber(row.revision)]);
      this.publishedTotal += 1;
      this.metrics.relayPublished.inc();
    }
    if (rows.length > 0) void this.backlog().catch(() => undefined);
    return rows.length;
  }

  private async acquireLock(): Promise<boolean> {
    if (!(this.db instanceof PgDatabase)) return true;
    if (!this.lockClient) {
      this.lockClient = await this.db.connect();
      this.lockClient.on('error', () => {
        // The lock dies with its connection: publish nothing until it is taken again.
        this.lockHeld = false;
        void this.releaseLock(true);
      });
    }
    const [row] = (await this.lockClient.query('SELECT pg_try_advisory_lock($1) AS ok', [RELAY_LOCK_KEY])).rows as Array<{ ok: boolean }>;
    this.lockHeld = row.ok;
    if (row.ok) {
      // Commits of every replica NOTIFY this channel: the active relay is woken at once, not at its next poll.
      this.lockClient.on('notification', () => this.wake());
      await this.lockClient.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.logger.log('holding the relay lock: this instance publishes the outbox');
    }
    return row.ok;
  }

  private async releaseLock(broken = false): Promise<void> {
    const client = this.lockClient;
    this.lockClient = null;
    if (!client) return;
    if (this.lockHeld && !broken) {
      await client.query(`UNLISTEN ${OUTBOX_CHANNEL}`).catch(() => undefined);
      await client.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK_KEY]).catch(() => undefined);
    }
    client.removeAllListeners('notification');
    if (this.db.kind === 'postgres') this.lockHeld = false;
    client.release(broken);
  }

  private waitForWake(ms: number): Promise<void> {
    if (this.wakeRequested || this.stopped) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolveWait) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.wakeRequested = false;
        resolveWait();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  /** Backoff pause: not shortened by commits (NATS is down), only by {@link stop}. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolveSleep) => {
      const done = () => {
        clearTimeout(timer);
        this.interruptSleep = null;
        resolveSleep();
      };
      const timer = setTimeout(done, ms);
      this.interruptSleep = done;
    });
  }
}
