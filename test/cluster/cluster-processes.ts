/**
 * Real cluster nodes for tests: each node is the built `warren` bin in its own process, started by
 * the shared launcher (@warren/server/launch) with its own temp data dir, public port 0 and a
 * cluster port picked free beforehand (peers must know it before the node starts). Log lines are
 * kept, so a test can wait for one. Only the PIDs started here are ever signalled.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launchBroker } from '@warren/server/launch';

export { freePort };

/** A node restarting on a large log, or started on a loaded machine, may take a while to listen. */
const NODE_READY_TIMEOUT_MS = 120_000;

export interface LogLine {
  readonly msg?: string;
  readonly [key: string]: unknown;
}

export interface NodeProcess {
  readonly id: string;
  readonly dataDir: string;
  readonly clusterPort: number;
  child: ChildProcess;
  httpUrl: string;
  url: string;
  readonly logs: LogLine[];
  exited: Promise<number | string | null>;
}

export interface ClusterSpec {
  readonly ids: readonly string[];
  readonly secret: string;
  /** Per node: extra environment (a wrong secret, TLS files). */
  readonly env?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Cluster ports chosen beforehand (proxies between the nodes need them); free ones otherwise. */
  readonly clusterPorts?: ReadonlyMap<string, number>;
}


export class TestCluster {
  readonly nodes = new Map<string, NodeProcess>();

  private constructor(
    private readonly spec: ClusterSpec,
    private peers: string,
  ) {}

  /** Starts every node at once and waits until each is listening. */
  static async start(spec: ClusterSpec): Promise<TestCluster> {
    const ports = new Map<string, number>();
    for (const id of spec.ids) ports.set(id, spec.clusterPorts?.get(id) ?? (await freePort()));
    const cluster = new TestCluster(spec, spec.ids.map((id) => `${id}@127.0.0.1:${ports.get(id)}`).join(','));
    await Promise.all(
      spec.ids.map(async (id) => {
        const dataDir = await mkdtemp(join(tmpdir(), `warren-cluster-${id}-`));
        cluster.nodes.set(id, await cluster.#spawn({ id, dataDir, clusterPort: ports.get(id)! }));
      }),
    );
    return cluster;
  }

  node(id: string): NodeProcess {
    return this.nodes.get(id)!;
  }

  async kill9(id: string): Promise<void> {
    const node = this.node(id);
    node.child.kill('SIGKILL');
    await node.exited;
  }

  /** Starts a new node that waits to be added to the running cluster (WARREN_CLUSTER_JOIN). */
  async join(id: string): Promise<NodeProcess> {
    const clusterPort = await freePort();
    this.peers = `${this.peers},${id}@127.0.0.1:${clusterPort}`;
    const dataDir = await mkdtemp(join(tmpdir(), `warren-cluster-${id}-`));
    const node = await this.#spawn({ id, dataDir, clusterPort }, { WARREN_CLUSTER_JOIN: 'true' });
    this.nodes.set(id, node);
    return node;
  }

  /** Starts a stopped node again on its data dir and cluster port. */
  async restart(id: string): Promise<NodeProcess> {
    const old = this.node(id);
    const node = await this.#spawn({ id, dataDir: old.dataDir, clusterPort: old.clusterPort });
    this.nodes.set(id, node);
    return node;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.nodes.values()].map(async (node) => {
        if (node.child.exitCode === null && node.child.signalCode === null) {
          node.child.kill('SIGTERM');
          await node.exited;
        }
        await rm(node.dataDir, { recursive: true, force: true });
      }),
    );
  }

  async #spawn(at: { id: string; dataDir: string; clusterPort: number }, extra: Record<string, string> = {}): Promise<NodeProcess> {
    const logs: LogLine[] = [];
    const launched = await launchBroker({
      dataDir: at.dataDir,
      env: {
        WARREN_NODE_ID: at.id,
        WARREN_CLUSTER_PORT: String(at.clusterPort),
        WARREN_PEERS: this.peers,
        WARREN_CLUSTER_SECRET: this.spec.secret,
        ...this.spec.env?.[at.id],
        ...extra,
      },
      stderr: 'pipe',
      readyTimeoutMs: NODE_READY_TIMEOUT_MS,
      onLine: (_line, entry) => {
        if (entry !== undefined) logs.push(entry as LogLine);
      },
    });
    return { ...at, child: launched.child, url: launched.url, httpUrl: launched.httpUrl, logs, exited: launched.exited };
  }
}

const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/** A management API call as guest (loopback), answering status and parsed body. */
export async function api(node: NodeProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${node.httpUrl}${path}`, {
    method,
    headers: { authorization: GUEST, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}
