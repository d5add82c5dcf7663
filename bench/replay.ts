import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { CheckResult, createEvent, encodeEvent, eventStreamConfig, IamEvent, subjectFor } from '@iam/contracts';
import { AuthzCacheCore } from '../libs/authz-cache/src/core';
import { AuthzMetrics } from '../libs/authz-cache/src/metrics/authz-metrics';
import { ConsumerSession } from '../libs/authz-cache/src/subscription/consumer-session';
import { EventApplier } from '../libs/authz-cache/src/subscription/event-applier';
import { replayStream } from '../libs/authz-cache/src/subscription/stream-replayer';
import { startNatsServer } from '../test/support/nats-server';
import { median } from './machine-info';

/** Result of the replay benchmark. */
export interface ReplayBenchResult {
  replay: {
    /** `replayStream` (ephemeral consumer, batched fetches, decode + apply) into a warm cache, events/s, median of the rounds (goal >= 100,000). */
    eventsPerSec: number;
    roundEventsPerSec: number[];
    /**
     * The live path catching up over the same events: a {@link ConsumerSession} (the live subscription's pull
     * loop) from seq 1 applying each message as it comes, events/s, median of the rounds (goal: >= the replay).
     * The subscriber's per-message bookkeeping (SubscriptionDecisions, metrics) is not included.
     */
    liveEventsPerSec: number;
    liveRoundEventsPerSec: number[];
    /**
     * Per round, the live session's rate over the replay's; the median of
     * the rounds. The two share the pull loop and its window; rounds
     * alternate which of them goes first (whatever the first leaves behind,
     * its garbage to collect, lands on the second).
     */
    liveToReplayRatio: number;
    /** Decode + apply of the same bytes without NATS (what the live subscription does per message), events/s: the ceiling of both paths. */
    applyOnlyEventsPerSec: number;
    events: number;
    warmDecisions: number;
    /** Entries the first round removed. */
    invalidated: number;
  };
}

const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 200_000);
const WARM = Number(process.env.BENCH_REPLAY_WARM ?? 100_000);
/** Eight, each path first in four of them: with three rounds the two medians swapped places from run to run. */
const ROUNDS = Number(process.env.BENCH_REPLAY_ROUNDS ?? 8);

/** A mix of membership, policy and resource events over the warm cache's tags. */
function makeEvent(i: number): IamEvent {
  const revision = i + 1;
  const principal = `user:u${i % 10_000}@example.com`;
  switch (i % 3) {
    case 0:
      return createEvent({ type: 'group.member.added', revision, actor: 'bench', tags: [`g:group:g${i % 1_000}`, `p:${principal}`], payload: { groupId: `group:g${i % 1_000}`, principalId: principal } });
    case 1:
      return createEvent({ type: 'policy.deleted', revision, actor: 'bench', tags: [`pol:pol_${i % 1_000}`], payload: { policyId: `pol_${i % 1_000}` } });
    default:
      return createEvent({ type: 'resource.deleted', revision, actor: 'bench', tags: [`r:projects:${i % 100}:routers:${i % 100_000}`], payload: { resource: `projects:${i % 100}:routers:${i % 100_000}` } });
  }
}

function warmCore(): AuthzCacheCore {
  return new AuthzCacheCore({
    loadDecision: (q): Promise<CheckResult> => {
      const i = Number(q.resource.slice(q.resource.lastIndexOf('#') + 1));
      const p = i % 10_000;
      return Promise.resolve({ allowed: true, revision: 0, tags: [`p:user:u${p}@example.com`, `g:group:g${p % 1_000}`, `pol:pol_${i % 1_000}`, `r:projects:${i % 100}:routers:${i % 100_000}`] });
    },
    loadIdentity: async () => null,
    maxDecisions: WARM + 1,
  });
}

async function fill(core: AuthzCacheCore): Promise<void> {
  const partition = core.claimPartition();
  for (let i = 0; i < WARM; i += 10_000) {
    const reads: Array<Promise<unknown>> = [];
    for (let j = i; j < Math.min(WARM, i + 10_000); j++) {
      reads.push(core.check(partition, { principal: `user:u${j % 10_000}@example.com`, action: 'routers.read', resource: `projects:${j % 100}:routers:${j % 100_000}#${j}` }));
    }
    await Promise.all(reads);
  }
}

async function warmFilled(): Promise<AuthzCacheCore> {
  const core = warmCore();
  await fill(core);
  return core;
}

/** The live session's pull loop from seq 1 over the whole stream, applying every message; events/s until the last is applied. */
async function liveCatchUp(nc: NatsConnection, applier: EventApplier): Promise<number> {
  let applied = 0;
  let resolveDone: () => void = () => undefined;
  const allApplied = new Promise<void>((resolve) => (resolveDone = resolve));
  const started = performance.now();
  const { session, ended } = await ConsumerSession.open(nc, 1, 'bench_live', {
    onMessage: (msg) => {
      applier.apply(msg.data, msg.seq);
      if (++applied === EVENTS) resolveDone();
    },
    onHeartbeatsMissed: () => undefined,
  });
  await allApplied;
  const elapsed = performance.now() - started;
  await session.close();
  await ended;
  return Math.round(EVENTS / (elapsed / 1000));
}

/** Publishes with the bare client (no per-message ack; the stream captures the subject), flushing every chunk. */
async function publishAll(nc: NatsConnection, payloads: Array<{ subject: string; data: Uint8Array }>): Promise<void> {
  const CHUNK = 5_000;
  for (let i = 0; i < payloads.length; i += CHUNK) {
    for (let j = i; j < Math.min(payloads.length, i + CHUNK); j++) nc.publish(payloads[j].subject, payloads[j].data);
    await nc.flush();
  }
}

/**
 * A real nats-server (free port, temp storage) with `EVENTS` events in
 * `IAM_EVENTS`; each round replays all of them into a cache warmed with
 * `WARM` decisions, through `replayStream` (what `POST /admin/cache/replay`
 * runs). Also decode + apply of the same bytes in memory.
 */
export async function runReplay(log: (line: string) => void): Promise<ReplayBenchResult> {
  Logger.overrideLogger(['error']);
  const server = await startNatsServer();
  let connection: NatsConnection | undefined;
  try {
    const nc = await connect(server.connectOptions());
    connection = nc;
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add(eventStreamConfig());
    log(`replay: publishing ${EVENTS} events`);
    const payloads = Array.from({ length: EVENTS }, (_, i) => {
      const event = makeEvent(i);
      return { subject: subjectFor(event.type), data: encodeEvent(event) };
    });
    await publishAll(nc, payloads);
    for (let waited = 0; (await jsm.streams.info('IAM_EVENTS')).state.messages < EVENTS; waited += 100) {
      if (waited > 120_000) throw new Error('the stream did not capture every event within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const metrics = new AuthzMetrics({ service: 'bench' });
    const rates: number[] = [];
    const liveRates: number[] = [];
    let invalidated = 0;
    const liveToReplay: number[] = [];
    const replayOnce = async (round: number): Promise<number> => {
      const applier = new EventApplier(await warmFilled(), metrics, () => true);
      const result = await replayStream(nc, applier, { fromSequence: 1 });
      if (result.applied !== EVENTS) throw new Error(`replay applied ${result.applied} of ${EVENTS}`);
      if (round === 1) invalidated = result.invalidated;
      const rate = Math.round((EVENTS / Math.max(result.durationMs, 1)) * 1000);
      log(`  round ${round} replay: ${rate} events/s (${result.durationMs} ms, ${result.invalidated} entries removed)`);
      return rate;
    };
    const liveOnce = async (round: number): Promise<number> => {
      const live = await liveCatchUp(nc, new EventApplier(await warmFilled(), metrics, () => true));
      log(`  round ${round} live session: ${live} events/s`);
      return live;
    };
    for (let round = 1; round <= ROUNDS; round++) {
      let rate: number;
      let live: number;
      if (round % 2 === 1) {
        rate = await replayOnce(round);
        live = await liveOnce(round);
      } else {
        live = await liveOnce(round);
        rate = await replayOnce(round);
      }
      rates.push(rate);
      liveRates.push(live);
      liveToReplay.push(live / rate);
    }
    const core = warmCore();
    await fill(core);
    const applier = new EventApplier(core, metrics, () => true);
    const started = performance.now();
    for (let i = 0; i < EVENTS; i++) applier.apply(payloads[i].data, i + 1);
    const applyOnly = Math.round(EVENTS / ((performance.now() - started) / 1000));
    log(`  decode + apply only: ${applyOnly} events/s`);
    return {
      replay: { eventsPerSec: median(rates), roundEventsPerSec: rates, liveEventsPerSec: Math.round(median(liveRates)), liveRoundEventsPerSec: liveRates, liveToReplayRatio: Number(median(liveToReplay).toFixed(3)), applyOnlyEventsPerSec: applyOnly, events: EVENTS, warmDecisions: WARM, invalidated },
    };
  } finally {
    await connection?.close().catch(() => undefined);
    await server.dispose();
  }
}
