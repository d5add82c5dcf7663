/*
 * Measures, on a 3-node JetStream cluster on loopback, what the cache's
 * disposable consumer configuration costs: creation latency per storage and
 * replica count, and how long a new consumer takes to be created after the
 * node holding the old one is killed. Run: `npm run build && node
 * dist/bench/consumer-config.js` (starts and stops its own nats-servers).
 * The figures and the choice are in libs/authz-cache/README.md.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Node {
  name: string;
  port: number;
  process: ChildProcess;
  config: string;
}

async function startCluster(dir: string): Promise<Node[]> {
  const ports = await Promise.all([0, 1, 2].map(async () => ({ client: await freePort(), cluster: await freePort() })));
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.cluster}`).join(', ');
  return ports.map((p, i) => {
    const name = `n${i}`;
    const config = join(dir, `${name}.conf`);
    writeFileSync(
      config,
      `server_name: ${name}\nlisten: 127.0.0.1:${p.client}\njetstream { store_dir: "${join(dir, name)}" }\n` +
        `cluster { name: bench, listen: 127.0.0.1:${p.cluster}, routes: [${routes}] }\n`,
    );
    return { name, port: p.client, config, process: spawn('nats-server', ['-c', config], { stdio: 'ignore' }) };
  });
}

async function waitForJetStream(nc: NatsConnection): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    try {
      const jsm = await jetstreamManager(nc, { timeout: 1000 });
      await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'], num_replicas: 3 });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error('JetStream cluster never became ready');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

type Variant = { label: string; mem_storage: boolean; num_replicas: number };
const VARIANTS: Variant[] = [
  { label: 'memory R1', mem_storage: true, num_replicas: 1 },
  { label: 'file R1', mem_storage: false, num_replicas: 1 },
  { label: 'memory R3', mem_storage: true, num_replicas: 3 },
  { label: 'file R3', mem_storage: false, num_replicas: 3 },
];

async function createConsumer(nc: NatsConnection, v: Variant, name: string): Promise<{ ms: number; leader: string | undefined }> {
  const jsm = await jetstreamManager(nc, { timeout: 1000 });
  const started = performance.now();
  const info = await jsm.consumers.add('BENCH', {
    name,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: 1,
    inactive_threshold: nanos(60_000),
    mem_storage: v.mem_storage,
    num_replicas: v.num_replicas,
  });
  return { ms: performance.now() - started, leader: info.cluster?.leader };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'consumer-config-'));
  let nodes = await startCluster(dir);
  try {
    const nc = await connect({ servers: nodes.map((n) => `nats://127.0.0.1:${n.port}`), maxReconnectAttempts: -1, reconnectTimeWait: 100, waitOnFirstConnect: true });
    await waitForJetStream(nc);
    for (let i = 0; i < 100; i += 1) await jetstream(nc).publish(`bench.e`, new Uint8Array(64));
    for (const v of VARIANTS) {
      const times: number[] = [];
      for (let i = 0; i < 20; i += 1) {
        const name = `c_${v.label.replace(' ', '_')}_${i}`;
        times.push((await createConsumer(nc, v, name)).ms);
        await (await jetstreamManager(nc)).consumers.delete('BENCH', name);
      }
      console.log(`${v.label}: create median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
    }
    // Failover: kill the node that leads a consumer, then create a new one (what the subscriber does).
    for (const v of [...VARIANTS, ...VARIANTS]) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const { leader } = await createConsumer(nc, v, `victim_${v.label.replace(' ', '_')}_${Math.random().toString(36).slice(2, 8)}`);
      const streamLeader = await (await jetstreamManager(nc, { timeout: 5000 })).streams
        .info('BENCH')
        .then((info) => info.cluster?.leader)
        .catch(() => undefined);
      const victim = nodes.find((n) => n.name === leader);
      if (!victim) {
        console.log(`${v.label}: consumer leader unknown, skipped`);
        continue;
      }
      victim.process.kill('SIGKILL');
      const killedAt = performance.now();
      let attempts = 0;
      for (;;) {
        attempts += 1;
        try {
          await createConsumer(nc, v, `after_${v.label.replace(' ', '_')}_${attempts}_${Math.random().toString(36).slice(2, 8)}`);
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
      }
      const role = victim.name === streamLeader ? 'consumer and stream leader' : 'consumer leader only';
      console.log(`${v.label}: ${victim.name} (${role}) killed -> new consumer created after ${(performance.now() - killedAt).toFixed(0)} ms (${attempts} attempts)`);
      // Bring the node back (same storage) and let the cluster settle before the next variant.
      victim.process = spawn('nats-server', ['-c', victim.config], { stdio: 'ignore' });
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    await nc.close();
  } finally {
    for (const n of nodes) n.process.kill('SIGKILL');
    nodes = [];
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
