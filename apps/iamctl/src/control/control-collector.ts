import type { ControlMessage, ControlReply } from '@iam/contracts';
import type { InstanceProgress } from '../output/progress';

/** Options of {@link ControlCollector}. */
export interface ControlCollectorOptions {
  /**
   * Collecting ends once nothing arrived for this long and no instance that
   * reported progress still owes its result. Default 1000 ms.
   */
  quietMs?: number;
  /** An instance that reported progress and then stays silent this long is given up on. Default 30 000 ms. */
  timeoutMs?: number;
  /** Stop as soon as this many instances have sent their result (still ends on quiet/timeout). */
  expect?: number;
}

/** What one instance answered. */
export interface InstanceOutcome<T> {
  service: string;
  instanceId: string;
  /** Its final reply, or undefined when it sent progress and then went silent. */
  reply?: ControlReply<T>;
  progress?: { done: number; total: number };
}

/**
 * The scatter-gather bookkeeping of the control protocol (contracts
 * `control.ts`), free of I/O so it can be tested with a fake clock: feed it
 * messages and the time, ask it whether collecting is over.
 *
 * Nobody knows how many instances exist, so the end is decided by silence:
 * quiet for `quietMs` with nobody mid-work, or `expect` results in.
 */
export class ControlCollector<T> {
  private readonly quietMs: number;
  private readonly timeoutMs: number;
  private readonly expect?: number;
  private readonly instances = new Map<string, InstanceOutcome<T> & { lastSeenAt: number }>();
  private lastMessageAt: number;
  private ignored = 0;

  constructor(startedAt: number, options: ControlCollectorOptions = {}) {
    this.quietMs = options.quietMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.expect = options.expect;
    this.lastMessageAt = startedAt;
  }

  /** Records one message (malformed ones are counted and ignored). */
  receive(message: unknown, now: number): void {
    if (!isControlMessage<T>(message)) {
      this.ignored++;
      return;
    }
    this.lastMessageAt = now;
    const id = `${message.service}/${message.instanceId}`;
    const instance = this.instances.get(id) ?? { service: message.service, instanceId: message.instanceId, lastSeenAt: now };
    instance.lastSeenAt = now;
    if (message.kind === 'progress') {
      if (!instance.reply) instance.progress = { done: message.done, total: message.total };
    } else {
      instance.reply = message;
    }
    this.instances.set(id, instance);
  }

  /** Whether collecting is over at `now`. */
  isDone(now: number): boolean {
    const results = this.outcomes().filter((o) => o.reply).length;
    if (this.expect !== undefined && results >= this.expect) return true;
    const pending = [...this.instances.values()].filter((i) => !i.reply);
    if (pending.some((i) => now - i.lastSeenAt < this.timeoutMs)) return false;
    return now - this.lastMessageAt >= this.quietMs || pending.length > 0;
  }

  /** When {@link isDone} may next change its answer (for a timer). */
  nextCheckAt(now: number): number {
    const pending = [...this.instances.values()].filter((i) => !i.reply);
    if (pending.length > 0) return Math.max(now, Math.min(...pending.map((i) => i.lastSeenAt + this.timeoutMs)));
    return Math.max(now, this.lastMessageAt + this.quietMs);
  }

  /** Every instance heard from, sorted by service and instance id. */
  outcomes(): InstanceOutcome<T>[] {
    return [...this.instances.values()]
      .map(({ lastSeenAt: _lastSeenAt, ...outcome }) => outcome)
      .sort((a, b) => `${a.service}/${a.instanceId}`.localeCompare(`${b.service}/${b.instanceId}`));
  }

  /** Progress per instance, for drawing. */
  progress(): InstanceProgress[] {
    return this.outcomes().map((o) => ({
      service: o.service,
      instanceId: o.instanceId,
      done: o.progress?.done ?? 0,
      total: o.progress?.total ?? 0,
      finished: o.reply ? (o.reply.ok ? 'ok' : 'failed') : undefined,
    }));
  }

  /** Messages that were not control messages. */
  get ignoredMessages(): number {
    return this.ignored;
  }
}

function isControlMessage<T>(value: unknown): value is ControlMessage<T> {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (typeof message.service !== 'string' || typeof message.instanceId !== 'string') return false;
  if (message.kind === 'progress') return typeof message.done === 'number' && typeof message.total === 'number';
  return message.kind === 'result' && typeof message.ok === 'boolean';
}

/** Summary of a finished collection: which instances failed or never finished, for the exit code. */
export function summariseOutcomes<T>(outcomes: InstanceOutcome<T>[]): { ok: number; failed: number; unfinished: number } {
  return {
    ok: outcomes.filter((o) => o.reply?.ok).length,
    failed: outcomes.filter((o) => o.reply && !o.reply.ok).length,
    unfinished: outcomes.filter((o) => !o.reply).length,
  };
}
