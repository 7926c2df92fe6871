/**
 * The cluster network the nemesis controls: a LinkProxy for every ordered pair of nodes, node
 * `a`'s peer list pointing at the proxy a→b for every other node b. A node dials only the peers
 * whose id sorts after its own, so each pair's one connection runs through one proxy and both
 * its directions can be cut apart. Clients reach the nodes directly: only node-to-node traffic
 * is cut.
 */
import { LinkProxy } from './link-proxy.js';

export class Network {
  readonly #proxies = new Map<string, LinkProxy>();

  private constructor(readonly ids: readonly string[]) {}

  /** A proxy for every ordered pair, each relaying to the cluster port of its target. */
  static async build(clusterPorts: ReadonlyMap<string, number>): Promise<Network> {
    const network = new Network([...clusterPorts.keys()]);
    for (const from of network.ids) {
      for (const to of network.ids) {
        if (from !== to) network.#proxies.set(`${from}>${to}`, await LinkProxy.listen(from, to, clusterPorts.get(to)!));
      }
    }
    return network;
  }

  /** Node `id`'s WARREN_PEERS: itself at its own cluster port, every other node at a proxy. */
  peersOf(id: string, ownPort: number): string {
    return this.ids.map((other) => (other === id ? `${id}@127.0.0.1:${ownPort}` : `${other}@127.0.0.1:${this.#proxy(id, other).port}`)).join(',');
  }

  /** Drops (true) or restores (false) everything node `from` sends to node `to`. */
  setDrop(from: string, to: string, dropped: boolean): void {
    this.#proxy(from, to).set('forth', dropped);
    this.#proxy(to, from).set('back', dropped);
  }

  /** Cuts both directions between every node of `side` and every node outside it. */
  cutOff(side: readonly string[]): void {
    for (const a of side) {
      for (const b of this.ids) {
        if (side.includes(b)) continue;
        this.setDrop(a, b, true);
        this.setDrop(b, a, true);
      }
    }
  }

  /** The directed pairs whose traffic is dropped now, as "a>b". */
  dropped(): string[] {
    return [...this.#proxies.entries()].filter(([, proxy]) => proxy.isCut('forth')).map(([key]) => key);
  }

  heal(): void {
    for (const proxy of this.#proxies.values()) {
      proxy.set('forth', false);
      proxy.set('back', false);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#proxies.values()].map((proxy) => proxy.close()));
  }

  #proxy(from: string, to: string): LinkProxy {
    return this.#proxies.get(`${from}>${to}`)!;
  }
}
