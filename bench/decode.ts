import { createEvent, decodeEvent, encodeEvent, EVENT_TYPES, EventType, IamEvent, SAMPLE_PAYLOADS } from '@iam/contracts';
import { median } from './machine-info';

/** Result of the decode benchmark. */
export interface DecodeBenchResult {
  decode: {
    /** `decodeEvent(bytes)` calls per second (UTF-8 decode, JSON.parse, compiled schema checks). */
    eventsPerSec: number;
    /** `JSON.parse(utf8 decode(bytes))` alone on the same messages: the floor no decoder goes under. */
    jsonParseEventsPerSec: number;
    /** decode.eventsPerSec / decode.jsonParseEventsPerSec. */
    ratioToJsonParse: number;
    /** Mean encoded size of the messages (bytes). */
    meanBytes: number;
    distinctMessages: number;
    opsPerRound: number;
    rounds: number;
  };
}

const OPS = 200_000;
const ROUNDS = 7;

/** The event of `type` the relay would publish: a handful of tags, a tenant. */
function sample<T extends EventType>(type: T, i: number): IamEvent {
  return createEvent({
    type,
    revision: 1_000 + i,
    actor: 'admin:ops@example.com',
    tags: ['p:user:ada@example.com', 'g:group:eng', `pol:pol_${String(i).padStart(16, '0')}`, 'r:projects:42:routers:7', 'tok:0123456789abcdef'],
    payload: SAMPLE_PAYLOADS[type],
    tenant: 'acme',
  }) as IamEvent;
}

/** One encoded message per event type. */
function messages(): Uint8Array[] {
  return EVENT_TYPES.map((type, i) => encodeEvent(sample(type, i)));
}

/** ops/s of `fn(message)` over OPS messages, median of ROUNDS after one warm-up round. */
function measure(batch: Uint8Array[], fn: (data: Uint8Array) => unknown): number {
  const rates: number[] = [];
  let sink = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < OPS; i++) if (fn(batch[i % batch.length])) sink++;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (round > 0) rates.push(OPS / seconds);
  }
  if (sink === 0) throw new Error('nothing was decoded');
  return median(rates);
}

/** Decode throughput (the hot path of every consumer and of replay) against JSON.parse alone. */
export async function runDecode(log: (line: string) => void): Promise<DecodeBenchResult> {
  const batch = messages();
  for (const data of batch) {
    const result = decodeEvent(data);
    if (result.kind !== 'event') throw new Error(`bench message does not decode: ${result.kind}`);
  }
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const jsonParseEventsPerSec = measure(batch, (data) => JSON.parse(utf8.decode(data)));
  const eventsPerSec = measure(batch, (data) => decodeEvent(data).kind === 'event');
  const meanBytes = Math.round(batch.reduce((sum, data) => sum + data.byteLength, 0) / batch.length);
  log(`decode: ${Math.round(eventsPerSec)} events/s, JSON.parse alone ${Math.round(jsonParseEventsPerSec)}/s (${meanBytes} bytes/event)`);
  return {
    decode: {
      eventsPerSec: Math.round(eventsPerSec),
      jsonParseEventsPerSec: Math.round(jsonParseEventsPerSec),
      ratioToJsonParse: Number((eventsPerSec / jsonParseEventsPerSec).toFixed(3)),
      meanBytes,
      distinctMessages: batch.length,
      opsPerRound: OPS,
      rounds: ROUNDS,
    },
  };
}
