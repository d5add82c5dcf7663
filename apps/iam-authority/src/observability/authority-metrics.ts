import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The authority's Prometheus metrics, in a registry of its own (several
 * authorities can live in one process, e.g. in tests, without clashing).
 */
export class AuthorityMetrics {
  readonly registry = new Registry();
  readonly mutations = new Counter({ name: 'iam_authority_mutations_total', help: 'Committed mutations by operation', labelNames: ['op'], registers: [this.registry] });
  readonly outboxBacklog = new Gauge({ name: 'iam_authority_outbox_backlog', help: 'Outbox events not yet published', registers: [this.registry] });
  readonly relayPublished = new Counter({ name: 'iam_authority_relay_published_total', help: 'Events the relay published (acknowledged by JetStream)', registers: [this.registry] });
  readonly relayErrors = new Counter({ name: 'iam_authority_relay_errors_total', help: 'Relay publish or provisioning failures', registers: [this.registry] });
  readonly checkpointsSent = new Counter({ name: 'iam_authority_checkpoints_total', help: 'Freshness checkpoints this instance sent (as the relay lease holder)', registers: [this.registry] });
  readonly checkpointRevision = new Gauge({ name: 'iam_authority_checkpoint_revision', help: 'Revision of the last checkpoint this instance sent', registers: [this.registry] });
  readonly checkLatency = new Histogram({
    name: 'iam_authority_check_duration_seconds',
    help: 'check and resolve latency by transport and operation',
    labelNames: ['transport', 'op'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
}
