import { createInbox, headers, type NatsConnection } from '@nats-io/nats-core';
import { OPERATOR_NONCE_HEADER, OPERATOR_SIGNATURE_HEADER, OPERATOR_TIMESTAMP_HEADER, signOperatorRequest } from '@iam/contracts';
import { ControlCollector, ControlCollectorOptions, InstanceOutcome } from './control-collector';


/** Options of {@link scatterGather}. */
export interface ScatterGatherOptions extends ControlCollectorOptions {
  /** Called after every message (draw progress). */
  onUpdate?: (collector: ControlCollector<unknown>) => void;
  /** Signs the request with this operator key (IAM_OPERATOR_KEY); services drop unsigned requests. */
  operatorKey?: string;
  /** Reply inbox prefix: this NATS user's own (NATS_INBOX_PREFIX); default `_INBOX`. */
  inboxPrefix?: string;
}

/**
 * Publishes a control request with a private reply inbox and collects every
 * instance's progress and result until {@link ControlCollector} says it is
 * over (control protocol, contracts `control.ts`). Never rejects for silence:
 * no answer is an empty list, the caller decides what that means.
 */
export async function scatterGather<T>(
  nc: NatsConnection,
  subject: string,
  request: object,
  options: ScatterGatherOptions = {},
): Promise<InstanceOutcome<T>[]> {
  const collector = new ControlCollector<T>(Date.now(), options);
  const inbox = createInbox(options.inboxPrefix);
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const check = (): void => {
      if (finished) return;
      const now = Date.now();
      clearTimeout(timer);
      if (collector.isDone(now)) {
        finished = true;
        subscription.unsubscribe();
        resolve(collector.outcomes());
        return;
      }
      timer = setTimeout(check, Math.max(5, collector.nextCheckAt(now) - now + 5));
    };
    const subscription = nc.subscribe(inbox, {
      callback: (error, message) => {
        if (error) return;
        let value: unknown;
        try {
          value = message.json<unknown>();
        } catch {
          value = undefined;
        }
        collector.receive(value, Date.now());
        options.onUpdate?.(collector as ControlCollector<unknown>);
        check();
      },
    });
    // The subscription reaches the server before the request does (same connection, in order).
    const body = new TextEncoder().encode(JSON.stringify(request));
    const h = headers();
    if (options.operatorKey !== undefined) {
      const credential = signOperatorRequest(options.operatorKey, subject, body);
      h.set(OPERATOR_TIMESTAMP_HEADER, credential.timestamp);
      h.set(OPERATOR_NONCE_HEADER, credential.nonce);
      h.set(OPERATOR_SIGNATURE_HEADER, credential.signature);
    }
    nc.publish(subject, body, { reply: inbox, headers: h });
    check();
  });
}
