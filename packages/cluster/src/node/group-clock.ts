/**
 * One clock for every Raft group of a node (GroupHost of raft-node.ts): a single timer ticks the
 * groups that are awake, and a quiesced group leaves the set until something wakes it, so ten
 * thousand idle groups cost one timer callback per tick, not ten thousand. Before each tick it
 * runs the node's own duties (the transport's node-level heartbeats and liveness check); when a
 * peer goes out of reach or comes back, every group hears of it (raft/quiesce.ts decides which
 * wake).
 */
import type { GroupHost, HostedGroup } from '../raft-node.js';

export class GroupClock implements GroupHost {
  readonly #groups = new Set<HostedGroup>();
  readonly #awake = new Set<HostedGroup>();
  readonly #timer: NodeJS.Timeout;
  /** Periodic duties of many groups (a queue's leader duties), one timer per period for all. */
  readonly #every = new Map<number, { timer: NodeJS.Timeout; duties: Set<() => void> }>();

  constructor(
    tickMs: number,
    private readonly beforeTick: () => void,
    readonly live: (peer: string) => boolean,
  ) {
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#timer.unref();
  }

  /** Groups ticking now (the others are quiesced). */
  get awakeCount(): number {
    return this.#awake.size;
  }

  get size(): number {
    return this.#groups.size;
  }

  /** Groups this node leads, and groups quiesced under a known leader (read at scrape time). */
  counts(): { leading: number; settled: number } {
    let leading = 0;
    let settled = 0;
    for (const group of this.#groups) {
      if (group.leads) leading++;
      if (group.settled) settled++;
    }
    return { leading, settled };
  }

  join(group: HostedGroup): void {
    this.#groups.add(group);
    this.#awake.add(group);
  }

  leave(group: HostedGroup): void {
    this.#groups.delete(group);
    this.#awake.delete(group);
  }

  awake(group: HostedGroup): void {
    if (this.#groups.has(group)) this.#awake.add(group);
  }

  peerChanged(peer: string, live: boolean): void {
    for (const group of this.#groups) group.peerLiveness(peer, live);
  }

  /** Runs `duty` every `ms` with every other duty of that period, on one timer; returns its cancel. */
  every(ms: number, duty: () => void): () => void {
    let period = this.#every.get(ms);
    if (period === undefined) {
      const duties = new Set<() => void>();
      const timer = setInterval(() => {
        for (const run of duties) run();
      }, ms);
      timer.unref();
      period = { timer, duties };
      this.#every.set(ms, period);
    }
    period.duties.add(duty);
    const { duties } = period;
    return () => void duties.delete(duty);
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const { timer } of this.#every.values()) clearInterval(timer);
  }

  #tick(): void {
    this.beforeTick();
    for (const group of this.#awake) if (!group.tick()) this.#awake.delete(group);
  }
}
