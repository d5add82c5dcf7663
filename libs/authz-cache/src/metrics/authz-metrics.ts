import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheCoreStats, CacheCounterSet } from '../core/types';

/** What the subscription reports to the metrics (read at scrape time). */
export interface SubscriptionGauges {
  live: boolean;
  degraded: boolean;
  appliedSequence: number;
  streamLastSequence: number;
  /** now - freshAsOf in ms; undefined before the first lease renewal. */
  freshAsOfAgeMs?: number;
}

/** Injection token of the module's {@link AuthzMetrics}. */
export const AUTHZ_METRICS = Symbol('AUTHZ_METRICS');

/**
 * The module's Prometheus metrics (`authz_cache_*`), in a registry of its
 * own: two apps (or two module instances) in one process never clash, and
 * `GET /metrics` shows exactly this module's series.
 *
 * Counters the core keeps itself (hits, misses, ...) are copied at scrape
 * time from `core.stats()`, so the hot read path pays nothing for metrics.
 */
export class AuthzMetrics {
  readonly registry = new Registry();
  private coreStats: () => CacheCoreStats | undefined = () => undefined;
  private subscription: () => SubscriptionGauges = () => ({ live: false, degraded: false, appliedSequence: 0, streamLastSequence: 0 });

  /** Events applied, by event type (unreadable ones as `unreadable`). */
  readonly invalidations: Counter<'event_type'>;
  /** Cache entries those events removed, by event type. */
  readonly invalidatedEntries: Counter<'event_type'>;
  /**
   * occurredAt -> applied: callers observe milliseconds (the subscriber's
   * clock unit), the histogram `authz_cache_propagation_delay_seconds` stores seconds.
   */
  readonly propagationDelay: { observe(ms: number): void };
  readonly malformedEvents: Counter<string>;
  readonly gapFlushes: Counter<string>;
  /** Reads that did not use the cache (kill switch, not live, fail-closed, consistency fallback), by reason. */
  readonly bypassReads: Counter<'reason'>;
  /** Calls made to the authority, by operation and outcome. */
  readonly authorityCalls: Counter<'op' | 'outcome'>;
  /** Freshness checkpoints received (valid ones). */
  readonly checkpointsReceived: Counter<string>;
  /** Consumers re-created, by reason (checkpoint-ahead, heartbeats-missed, consumer-lost, stream-changed). */
  readonly consumerRecreations: Counter<'reason'>;
  /** Control messages dropped (forged, replayed, JetStream deliveries, ...), by reason. */
  readonly controlRejected: Counter<'reason'>;

  /** `service` labels every series; no `instance`: Prometheus sets it from the target (the instance id is in `iam_build_info`). */
  constructor(labels: { service: string }) {
    this.registry.setDefaultLabels(labels);
    const registers = [this.registry];
    // One series per cache (decision / identity).
    const fromCore = (name: string, help: string, pick: (s: CacheCounterSet) => number) => {
      const read = () => this.coreStats();
      return new Counter({
        name,
        help,
        labelNames: ['cache'],
        registers,
        collect() {
          const stats = read();
          this.reset();
          if (!stats) return;
          this.inc({ cache: 'decision' }, pick(stats.byCache.decisions));
          this.inc({ cache: 'identity' }, pick(stats.byCache.identities));
        },
      });
    };
    fromCore('authz_cache_hits_total', 'Reads answered from a fresh cache entry', (s) => s.hits);
    fromCore('authz_cache_misses_total', 'Reads that loaded from the authority', (s) => s.misses);
    fromCore('authz_cache_stale_hits_total', 'Reads answered from a soft-stale entry (refreshed in the background)', (s) => s.staleHits);
    fromCore('authz_cache_refreshes_total', 'Background refreshes of soft-stale entries', (s) => s.refreshes);
    fromCore('authz_cache_coalesced_loads_total', 'Reads that joined a load already in flight (single-flight)', (s) => s.coalesced);
    fromCore('authz_cache_guard_rejections_total', 'Loaded answers refused by the revision guard', (s) => s.guardRejections);
    fromCore(
      'authz_cache_lease_lapsed_reads_total',
      'Reads that found an entry outside the freshness lease (now - max(loadedAt, freshAsOf) > maxStalenessMs) and asked the authority',
      (s) => s.leaseLapsed,
    );
    new Gauge({
      name: 'authz_cache_entries',
      help: 'Entries per cache',
      labelNames: ['cache'],
      registers,
      collect: (() => {
        const read = () => this.coreStats();
        return function (this: Gauge<'cache'>) {
          const stats = read();
          this.set({ cache: 'decision' }, stats?.decisionEntries ?? 0);
          this.set({ cache: 'identity' }, stats?.identityEntries ?? 0);
        };
      })(),
    });
    const gauge = (name: string, help: string, pick: (s: SubscriptionGauges, c: CacheCoreStats | undefined) => number) => {
      const read = () => ({ s: this.subscription(), c: this.coreStats() });
      return new Gauge({
        name,
        help,
        registers,
        collect() {
          const { s, c } = read();
          this.set(pick(s, c));
        },
      });
    };
    gauge('authz_cache_applied_sequence', 'Last stream sequence applied', (s) => s.appliedSequence);
    gauge('authz_cache_applied_revision', 'Highest authority revision applied', (_s, c) => c?.appliedRevision ?? 0);
    gauge('authz_cache_lag', 'Stream last sequence minus applied sequence', (s) => Math.max(0, s.streamLastSequence - s.appliedSequence));
    gauge('authz_cache_degraded', '1 while freshness is not proven (no renewed lease, subscription down): degraded mode', (s) => (s.degraded ? 1 : 0));
    gauge(
      'authz_cache_freshness_age_seconds',
      'Age of the freshness lease (now - freshAsOf), seconds; +Inf before the first checkpoint',
      (s) => (s.freshAsOfAgeMs === undefined ? Infinity : s.freshAsOfAgeMs / 1000),
    );
    gauge('authz_cache_live', '1 once the subscription is live (caching enabled)', (s) => (s.live ? 1 : 0));
    this.invalidations = new Counter({ name: 'authz_cache_invalidations_total', help: 'Events applied, by type', labelNames: ['event_type'], registers });
    this.invalidatedEntries = new Counter({
      name: 'authz_cache_invalidated_entries_total',
      help: 'Entries removed by events, by event type',
      labelNames: ['event_type'],
      registers,
    });
    const propagationSeconds = new Histogram({
      name: 'authz_cache_propagation_delay_seconds',
      help: 'Event occurredAt to applied in this instance, seconds',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    });
    this.propagationDelay = { observe: (ms) => propagationSeconds.observe(ms / 1000) };
    this.malformedEvents = new Counter({ name: 'authz_cache_malformed_events_total', help: 'Messages that were not valid events (skipped)', registers });
    this.gapFlushes = new Counter({ name: 'authz_cache_gap_flushes_total', help: 'Full flushes caused by a gap in the stream', registers });
    this.bypassReads = new Counter({ name: 'authz_cache_bypass_reads_total', help: 'Reads that skipped the cache, by reason', labelNames: ['reason'], registers });
    this.checkpointsReceived = new Counter({ name: 'authz_cache_checkpoints_total', help: 'Freshness checkpoints received', registers });
    this.consumerRecreations = new Counter({
      name: 'authz_cache_consumer_recreations_total',
      help: 'Stream consumers re-created, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.authorityCalls = new Counter({
      name: 'authz_cache_authority_calls_total',
      help: 'Calls to the authority, by operation and outcome',
      labelNames: ['op', 'outcome'],
      registers,
    });
    this.controlRejected = new Counter({
      name: 'authz_cache_control_rejected_total',
      help: 'Control messages dropped without action, by reason',
      labelNames: ['reason'],
      registers,
    });
  }

  /** Where core counters come from (undefined while the cache is disabled). */
  bindCore(stats: () => CacheCoreStats | undefined): void {
    this.coreStats = stats;
  }

  /** Where subscription gauges come from. */
  bindSubscription(gauges: () => SubscriptionGauges): void {
    this.subscription = gauges;
  }

  /** Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
