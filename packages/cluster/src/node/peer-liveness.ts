/**
 * Which peers' nodes are in reach, from node-level heartbeats: every frame a peer sends counts,
 * and the cluster transport sends each connected peer a tiny `beat` frame every tick, so one
 * heartbeat per pair of nodes stands for all the groups between them (raft/quiesce.ts). A peer
 * is out of reach when its connection drops, or after `limit` checks in a row heard nothing from
 * it; counted in checks rather than milliseconds, so a stall of this node's own event loop (a
 * long GC, a busy machine) is one missed check, not a dead peer.
 */
/**
 * Election timeouts a peer stays unheard before it is out of reach. Two, not one: a peer's
 * event loop held up by a long GC must not make thousands of quiesced groups elect at once.
 */
export const OUT_OF_REACH_TIMEOUTS = 2;

export class PeerLiveness {
  readonly #heard = new Set<string>();
  readonly #missed = new Map<string, number>();
  readonly #live = new Set<string>();

  constructor(
    private readonly limit: number,
    private readonly changed: (peer: string, live: boolean) => void,
  ) {}

  /** A frame came from `peer`. */
  heard(peer: string): void {
    this.#heard.add(peer);
  }

  /** The connection to `peer` dropped. */
  lost(peer: string): void {
    this.#heard.delete(peer);
    this.#missed.delete(peer);
    if (this.#live.delete(peer)) this.changed(peer, false);
  }

  /** Once a tick, over the connected peers. */
  check(connected: Iterable<string>): void {
    for (const peer of connected) {
      if (this.#heard.delete(peer)) {
        this.#missed.set(peer, 0);
        if (!this.#live.has(peer)) {
          this.#live.add(peer);
          this.changed(peer, true);
        }
        continue;
      }
      const missed = (this.#missed.get(peer) ?? 0) + 1;
      this.#missed.set(peer, missed);
      if (missed >= this.limit && this.#live.delete(peer)) this.changed(peer, false);
    }
  }

  isLive(peer: string): boolean {
    return this.#live.has(peer);
  }
}
