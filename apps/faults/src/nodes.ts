/**
 * The cluster's node processes, as the nemesis sees them: each the built `warren` bin in its own
 * process with its own data dir, public port and cluster port fixed for the whole run (so a node
 * killed and started again is where its clients and peers look for it), its peers reached
 * through the Network's proxies, its log lines written to `<logDir>/<id>.log`. Only the PIDs
 * started here are ever signalled.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort, launchBroker, type BrokerProcess } from '@warren/server/launch';
import { Network } from './network.js';

export type NodeState = 'up' | 'down' | 'paused';

interface Node {
  readonly id: string;
  readonly dataDir: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly log: WriteStream;
  process: BrokerProcess | undefined;
  state: NodeState;
}

const SECRET = 'warren-fault-suite-cluster-secret';
const API_TIMEOUT_MS = 2_000;
/** A loaded machine may take a while to start a node that replays a long log. */
const READY_TIMEOUT_MS = 60_000;
const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

export class Nodes {
  readonly #nodes = new Map<string, Node>();

  private constructor(
    readonly network: Network,
    private readonly dir: string,
  ) {}

  /** Starts `count` nodes (n1, n2, …) under `dir` and waits until each is listening. */
  static async start(count: number, dir: string): Promise<Nodes> {
    const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
    const clusterPorts = new Map<string, number>();
    for (const id of ids) clusterPorts.set(id, await freePort());
    const nodes = new Nodes(await Network.build(clusterPorts), dir);
    mkdirSync(join(dir, 'logs'), { recursive: true });
    for (const id of ids) {
      const dataDir = join(dir, 'data', id);
      mkdirSync(dataDir, { recursive: true });
      const log = createWriteStream(join(dir, 'logs', `${id}.log`), { flags: 'a' });
      nodes.#nodes.set(id, { id, dataDir, port: await freePort(), clusterPort: clusterPorts.get(id)!, log, process: undefined, state: 'down' });
    }
    const started = await Promise.allSettled(ids.map((id) => nodes.restart(id)));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await nodes.stopAll();
      throw failed.reason;
    }
    return nodes;
  }

  get ids(): string[] {
    return [...this.#nodes.keys()];
  }

  get logDir(): string {
    return join(this.dir, 'logs');
  }

  url(id: string): string {
    return `ws://127.0.0.1:${this.#node(id).port}/ws`;
  }

  state(id: string): NodeState {
    return this.#node(id).state;
  }

  pid(id: string): number | undefined {
    return this.#node(id).process?.pid;
  }

  /** kill -9: the data dir stays, as after a crash. */
  async kill9(id: string): Promise<void> {
    const node = this.#node(id);
    this.#note(node, 'kill -9');
    await node.process?.kill9();
    node.state = 'down';
  }

  /** Starts the node (again) on its data dir and ports; resolves once it is listening. */
  async restart(id: string): Promise<void> {
    const node = this.#node(id);
    this.#note(node, 'start');
    node.process = await launchBroker({
      dataDir: node.dataDir,
      stderr: 'pipe',
      readyTimeoutMs: READY_TIMEOUT_MS,
      env: {
        WARREN_PORT: String(node.port),
        WARREN_NODE_ID: id,
        WARREN_CLUSTER_PORT: String(node.clusterPort),
        WARREN_PEERS: this.network.peersOf(id, node.clusterPort),
        WARREN_CLUSTER_SECRET: SECRET,
      },
      onLine: (line) => node.log.write(`${line}\n`),
    });
    node.state = 'up';
  }

  pause(id: string): void {
    const node = this.#node(id);
    this.#note(node, 'SIGSTOP');
    node.process?.child.kill('SIGSTOP');
    node.state = 'paused';
  }

  resume(id: string): void {
    const node = this.#node(id);
    this.#note(node, 'SIGCONT');
    node.process?.child.kill('SIGCONT');
    node.state = 'up';
  }

  /** A management API call as guest; undefined when the node does not answer in time. */
  async api(id: string, path: string): Promise<{ status: number; body: unknown } | undefined> {
    if (this.#node(id).state !== 'up') return undefined;
    try {
      const response = await fetch(`http://127.0.0.1:${this.#node(id).port}${path}`, { headers: { authorization: GUEST }, signal: AbortSignal.timeout(API_TIMEOUT_MS) });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
    } catch {
      return undefined;
    }
  }

  async stopAll(): Promise<void> {
    for (const node of this.#nodes.values()) if (node.state === 'paused') this.resume(node.id);
    await Promise.all([...this.#nodes.values()].map(async (node) => node.process?.stop()));
    await Promise.all([...this.#nodes.values()].map((node) => new Promise((resolve) => node.log.end(resolve))));
    await this.network.close();
  }

  /** For the process's exit handler: synchronous, best effort. */
  killNow(): void {
    for (const node of this.#nodes.values()) {
      if (node.state === 'paused') node.process?.child.kill('SIGCONT');
      node.process?.killNow();
    }
  }

  #node(id: string): Node {
    const node = this.#nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** What the nemesis did, in the node's own log, so its lines read in context. */
  #note(node: Node, what: string): void {
    node.log.write(`${JSON.stringify({ time: Date.now(), nemesis: what, node: node.id })}\n`);
  }
}
