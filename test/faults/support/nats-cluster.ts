import { rmSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { IAM_EVENTS_STREAM } from '@iam/contracts';
import { NatsServerProcess } from '@iam/local-nats';
import { freePort } from '../../support/ports';
import { scratchDir } from '../../support/scratch';
import { waitFor } from '../../support/wait';

/** One node of a {@link NatsTestCluster}. */
export interface ClusterNode {
  /** server_name, as JetStream reports it (stream/consumer leaders, replicas). */
  readonly name: string;
  readonly process: NatsServerProcess;
  readonly dataDir: string;
}

let serial = 0;

/**
 * A 3-node JetStream cluster on loopback (local nats-server binaries, each
 * with its own temp storage and cluster routes to the others), owned by one
 * test file. Nodes can be killed and restarted on the same storage and port;
 * `dispose()` stops every node and deletes the storage.
 */
export class NatsTestCluster {
  private disposed = false;

  private constructor(
    readonly nodes: readonly ClusterNode[],
    private readonly root: string,
  ) {}

  /** Starts `size` nodes (default 3) and resolves once JetStream answers (a meta leader is elected). */
  static async start(size = 3): Promise<NatsTestCluster> {
    serial += 1;
    const root = scratchDir('iam-nats-cluster-');
    const clusterName = `iam-faults-${process.pid}-${serial}`;
    const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
    const routes = routePorts.map((port) => JSON.stringify(`nats-route://127.0.0.1:${port}`)).join(', ');
    const started: ClusterNode[] = [];
    try {
      await Promise.all(
        routePorts.map(async (routePort, i) => {
          const name = `${clusterName}-n${i + 1}`;
          const dataDir = join(root, `n${i + 1}`);
          const server = await NatsServerProcess.start({
            dataDir,
            serverName: name,
            extraConfig: [`cluster {`, `  name: ${JSON.stringify(clusterName)}`, `  listen: "127.0.0.1:${routePort}"`, `  routes: [${routes}]`, `}`].join('\n'),
            startTimeoutMs: 20_000,
          });
          started[i] = { name, process: server, dataDir };
        }),
      );
    } catch (error) {
      await Promise.all(started.filter(Boolean).map((node) => node.process.kill()));
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
    // The nodes stand for three machines. On one 2-core box they compete with the test's own load (and
    // whatever else runs), and a CPU-starved raft group is slow to elect: with a CPU hog beside a full
    // run, the JetStream API stayed silent for 13-15 s after the leader's kill (fault 6 failed once at
    // 18.5 s). Fault 6 alone beside two hogs: replicas fresh again 8-14 s after the kill at normal
    // priority, 5-8 s with the brokers at nice -10 (two runs each). So where the OS lets us, the brokers
    // run at a higher priority than the test processes; the clients under test do not.
    for (const node of started) raisePriority(node.process.pid);
    const cluster = new NatsTestCluster(started, root);
    try {
      await cluster.waitForJetStream();
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return cluster;
  }

  /** Every node's client URL, comma-separated (NATS_URL of an app). */
  get url(): string {
    return this.nodes.map((node) => node.process.url).join(',');
  }

  /** Environment for an app started as a child process. */
  env(): Record<string, string> {
    return { NATS_URL: this.url };
  }

  /** nats.js options: every node, quick reconnects. */
  connectOptions(): ConnectionOptions {
    return { servers: this.nodes.map((node) => node.process.url), reconnectTimeWait: 250, maxReconnectAttempts: -1 };
  }

  /** The node named `name`. */
  node(name: string): ClusterNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no cluster node named ${name} (nodes: ${this.nodes.map((n) => n.name).join(', ')})`);
    return node;
  }

  /** The server name of the stream's current leader. */
  async streamLeader(nc: NatsConnection, stream = IAM_EVENTS_STREAM): Promise<string> {
    const jsm = await jetstreamManager(nc);
    const leader = (await jsm.streams.info(stream)).cluster?.leader;
    if (!leader) throw new Error(`${stream} has no leader`);
    return leader;
  }

  /** Resolves once JetStream answers account requests (the meta group has a leader). */
  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    const nc = await connect(this.connectOptions());
    try {
      await waitFor(async () => (await (await jetstreamManager(nc)).getAccountInfo()) !== undefined, {
        timeoutMs,
        intervalMs: 250,
        description: 'the JetStream cluster to elect a meta leader',
      });
    } finally {
      await nc.close().catch(() => undefined);
    }
  }

  /** Stops every node and deletes the storage. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    try {
      await Promise.all(this.nodes.map((node) => node.process.stop(2000)));
    } finally {
      rmSync(this.root, { recursive: true, force: true });
    }
  }
}

/** Raises a broker's CPU priority (nice -10) where permitted (root, CAP_SYS_NICE); otherwise leaves it. */
function raisePriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, -10);
  } catch {
    // Not permitted: the nodes run at normal priority.
  }
}
