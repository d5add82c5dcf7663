import { Logger } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/nats-core';
import {
  CONTROL_SUBJECTS,
  ControlMessage,
  ControlProgress,
  ControlReply,
  RebuildControlRequest,
  rebuildControlRequestSchema,
  ReplayControlRequest,
  replayControlRequestSchema,
  SchemaCheck,
  schemaCheck,
  StatsControlRequest,
  statsControlRequestSchema,
} from '@iam/contracts';
import type { AuthzService } from '../authz.service';
import type { AuthzNatsConnection } from '../nats/authz-nats-connection';
import { addressedTo, ControlRejection, OperatorCredentialVerifier } from './operator-credential';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The contract's request schema of each control subject, compiled: checked at the edge, before any work. */
const REQUEST_CHECKS: Readonly<Record<string, SchemaCheck>> = {
  [CONTROL_SUBJECTS.replay]: schemaCheck(replayControlRequestSchema),
  [CONTROL_SUBJECTS.rebuild]: schemaCheck(rebuildControlRequestSchema),
  [CONTROL_SUBJECTS.stats]: schemaCheck(statsControlRequestSchema),
};

type Handler = (request: Record<string, unknown>, progress: (done: number, total: number) => void) => Promise<unknown>;

/**
 * Answers operators' control requests (`iam.v1.control.{replay,rebuild,stats}`,
 * scatter-gather): subscribed WITHOUT a queue group so every instance hears
 * every request; requests naming another service are ignored; the answer is
 * zero or more `progress` messages, then exactly one `result`.
 *
 * A request is acted on only when the {@link OperatorCredentialVerifier}
 * accepts it (control subject itself, no JetStream delivery, a fresh valid
 * operator signature, an unseen nonce) and its `service` names this service
 * or is `"*"`. Everything else is dropped without an answer, counted by
 * `onRejected`, and logged once per reason.
 */
export class ControlResponder {
  private readonly logger = new Logger('ControlResponder');
  private subscriptions: Subscription[] = [];
  private stopped = false;

  constructor(
    private readonly serviceName: string,
    private readonly instanceId: string,
    private readonly connection: AuthzNatsConnection,
    private readonly authz: AuthzService,
    private readonly verifier: OperatorCredentialVerifier,
    private readonly onRejected: (reason: ControlRejection) => void = () => undefined,
  ) {}

  private readonly loggedRejections = new Set<ControlRejection>();

  /** Subscribes once the connection is up (in the background). */
  start(): void {
    this.stopped = false;
    void this.connection
      .start()
      .then((nc) => {
        if (this.stopped || this.subscriptions.length > 0) return;
        const handlers: Record<string, Handler> = {
          [CONTROL_SUBJECTS.replay]: (request, progress) => {
            const { fromSequence, since } = request as ReplayControlRequest;
            return this.authz.replay({ fromSequence, since }, progress);
          },
          [CONTROL_SUBJECTS.rebuild]: (request, progress) => {
            const { topN, concurrency } = request as RebuildControlRequest;
            const options: { topN?: number; concurrency?: number } = {};
            if (topN !== undefined) options.topN = topN;
            if (concurrency !== undefined) options.concurrency = concurrency;
            return this.authz.rebuild(options, progress);
          },
          [CONTROL_SUBJECTS.stats]: async () => this.authz.stats(),
        };
        for (const [subject, handler] of Object.entries(handlers)) {
          this.subscriptions.push(nc.subscribe(subject, { callback: (err, msg) => (err ? undefined : this.receive(subject, msg, handler)) }));
        }
      })
      .catch(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }

  private receive(subject: string, msg: Msg, handler: Handler): void {
    const rejection = this.verifier.verify({
      expectedSubject: subject,
      subject: msg.subject,
      reply: msg.reply,
      header: (name) => msg.headers?.get(name),
      body: msg.data,
    });
    if (rejection === undefined) {
      void this.answer(msg, handler);
      return;
    }
    this.onRejected(rejection);
    if (!this.loggedRejections.has(rejection)) {
      this.loggedRejections.add(rejection);
      // Once per reason: a flood of forged requests must not flood the log. Never logs the body or headers.
      this.logger.warn(`control message on ${msg.subject} dropped (${rejection}); further drops for this reason are only counted`);
    }
  }

  private async answer(msg: Msg, handler: Handler): Promise<void> {
    let request: Record<string, unknown>;
    try {
      const parsed: unknown = msg.data.length === 0 ? {} : JSON.parse(decoder.decode(msg.data));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      request = parsed as Record<string, unknown>;
    } catch {
      this.send(msg, this.reply(false, undefined, { code: 'INVALID_REQUEST', message: 'the control request must be a JSON object' }));
      return;
    }
    const service = (request as StatsControlRequest).service;
    if (!addressedTo(service, this.serviceName)) return;
    // Only the addressed instances answer a malformed request (with the field at fault; never the value).
    const violation = REQUEST_CHECKS[msg.subject]?.(request);
    if (violation) {
      this.send(msg, this.reply(false, undefined, { code: 'INVALID_REQUEST', message: violation.message }));
      return;
    }
    this.logger.log(`control request ${msg.subject} received`);
    const progress = (done: number, total: number) => {
      const message: ControlProgress = { kind: 'progress', service: this.serviceName, instanceId: this.instanceId, done, total };
      this.send(msg, message);
    };
    try {
      const result = await handler(request, progress);
      this.send(msg, this.reply(true, result));
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'FAILED';
      this.send(msg, this.reply(false, undefined, { code, message: (error as Error).message }));
    }
  }

  private reply(ok: boolean, result?: unknown, error?: { code: string; message: string }): ControlReply {
    return {
      kind: 'result',
      service: this.serviceName,
      instanceId: this.instanceId,
      ok,
      ...(result !== undefined ? { result } : {}),
      ...(error ? { error } : {}),
    };
  }

  private send(msg: Msg, message: ControlMessage): void {
    try {
      msg.respond(encoder.encode(JSON.stringify(message)));
    } catch (error) {
      this.logger.warn(`control reply not sent: ${(error as Error).message}`);
    }
  }
}
