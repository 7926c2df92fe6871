/**
 * Read-index (Raft thesis §6.4): a read waits for the leader to prove it is still leader by a
 * round of heartbeats a majority answers, then is served at the commit index it recorded. This
 * keeps the requests waiting for their round, oldest first; the quorum test is the tracker's.
 */
import type { NodeId } from './types.js';

export interface ReadRequest {
  readonly context: string;
  readonly index: number;
  /** The member that asked: the leader itself, or a follower that forwarded it. */
  readonly from: NodeId;
  readonly acks: Set<NodeId>;
}

export class ReadOnly {
  readonly #pending = new Map<string, ReadRequest>();
  readonly #queue: string[] = [];

  add(context: string, index: number, from: NodeId): ReadRequest {
    const request = { context, index, from, acks: new Set<NodeId>() };
    if (this.#pending.has(context)) return this.#pending.get(context)!;
    this.#pending.set(context, request);
    this.#queue.push(context);
    return request;
  }

  /** Records a heartbeat answer carrying `context`; undefined when the request is gone. */
  ack(context: string, from: NodeId): ReadRequest | undefined {
    const request = this.#pending.get(context);
    request?.acks.add(from);
    return request;
  }

  /** Removes and returns every request up to and including `context`: the round proves them all. */
  release(context: string): ReadRequest[] {
    const at = this.#queue.indexOf(context);
    if (at < 0) return [];
    const released = this.#queue.splice(0, at + 1).map((c) => this.#pending.get(c)!);
    for (const request of released) this.#pending.delete(request.context);
    return released;
  }

  lastContext(): string | undefined {
    return this.#queue.at(-1);
  }

  reset(): void {
    this.#pending.clear();
    this.#queue.length = 0;
  }
}
