/**
 * Cluster links a test can cut, as apps/faults does (its proxies are not importable from here):
 * one loopback TCP proxy per ordered pair of nodes, node `from`'s peer list pointing at the proxy
 * from→to. A cut stops reading both sides of every connection through the proxy and leaves the
 * connections open, as a network that drops packets does; what was written waits in the socket
 * buffers and arrives, in order, when the cut heals. A connection made during a cut is held
 * unanswered until then.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Link {
  readonly inbound: Socket;
  outbound?: Socket;
}

class PairProxy {
  readonly #links = new Set<Link>();
  #cut = false;

  private constructor(
    private readonly server: Server,
    private readonly targetPort: number,
  ) {}

  static async listen(targetPort: number): Promise<PairProxy> {
    const server = createServer({ pauseOnConnect: true, noDelay: true });
    const proxy = new PairProxy(server, targetPort);
    server.on('connection', (inbound) => proxy.#accept(inbound));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  set cut(cut: boolean) {
    this.#cut = cut;
    for (const link of this.#links) {
      if (link.outbound === undefined) {
        if (!cut) this.#open(link);
      } else if (cut) {
        link.inbound.pause();
        link.outbound.pause();
      } else {
        link.inbound.resume();
        link.outbound.resume();
      }
    }
  }

  async close(): Promise<void> {
    for (const link of this.#links) {
      link.inbound.destroy();
      link.outbound?.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #accept(inbound: Socket): void {
    const link: Link = { inbound };
    this.#links.add(link);
    inbound.on('close', () => {
      this.#links.delete(link);
      link.outbound?.destroy();
    });
    inbound.on('error', () => inbound.destroy());
    if (!this.#cut) this.#open(link);
  }

  #open(link: Link): void {
    const outbound = connect({ host: '127.0.0.1', port: this.targetPort, noDelay: true });
    link.outbound = outbound;
    outbound.on('close', () => link.inbound.destroy());
    outbound.on('error', () => outbound.destroy());
    this.#relay(link.inbound, outbound);
    this.#relay(outbound, link.inbound);
    link.inbound.resume();
  }

  #relay(source: Socket, sink: Socket): void {
    source.on('data', (chunk: Buffer) => {
      if (!sink.write(chunk)) source.pause();
    });
    sink.on('drain', () => {
      if (!this.#cut) source.resume();
    });
  }
}

export class CutNetwork {
  private constructor(
    private readonly ports: ReadonlyMap<string, number>,
    private readonly proxies: ReadonlyMap<string, PairProxy>,
  ) {}

  /** A proxy for every ordered pair of the nodes, each relaying to its target's cluster port. */
  static async build(clusterPorts: ReadonlyMap<string, number>): Promise<CutNetwork> {
    const proxies = new Map<string, PairProxy>();
    for (const from of clusterPorts.keys()) {
      for (const [to, port] of clusterPorts) if (from !== to) proxies.set(`${from}>${to}`, await PairProxy.listen(port));
    }
    return new CutNetwork(clusterPorts, proxies);
  }

  /** Node `id`'s WARREN_PEERS: itself at its own cluster port, every other node at a proxy. */
  peersOf(id: string): string {
    return [...this.ports].map(([other, port]) => `${other}@127.0.0.1:${other === id ? port : this.proxies.get(`${id}>${other}`)!.port}`).join(',');
  }

  /** Cuts every link between node `id` and the others, both ways. */
  cutOff(id: string): void {
    for (const [pair, proxy] of this.proxies) if (pair.split('>').includes(id)) proxy.cut = true;
  }

  heal(): void {
    for (const proxy of this.proxies.values()) proxy.cut = false;
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
  }
}
