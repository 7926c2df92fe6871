/**
 * A synchronous in-memory group for the scripted Raft tests (etcd's `network` in raft_test.go):
 * each member persists into memory, messages go through a filter that can drop them, and
 * stabilize() runs Ready rounds until nothing moves. Test support only; the randomised world
 * with faults is src/sim.
 */
import { Raft, type RaftConfig } from '../raft/raft.js';
import type { Entry, HardState, Message, NodeId, Ready, Snapshot } from '../raft/types.js';
import { NO_HARD_STATE } from '../raft/types.js';

export class MemoryStorage {
  hardState: HardState = NO_HARD_STATE;
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];

  save(ready: Ready): void {
    if (ready.snapshot !== undefined) {
      this.snapshot = ready.snapshot;
      this.entries = [];
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      const base = this.snapshot?.index ?? 0;
      this.entries.length = first.index - base - 1;
      this.entries.push(...ready.entries);
    }
    if (ready.hardState !== undefined) this.hardState = ready.hardState;
  }

  state(): { hardState: HardState; snapshot: Snapshot | undefined; entries: Entry[] } {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: [...this.entries] };
  }
}

export type Filter = (m: Message) => boolean;

export class MemoryCluster {
  readonly nodes = new Map<NodeId, Raft>();
  readonly storage = new Map<NodeId, MemoryStorage>();
  readonly applied = new Map<NodeId, Entry[]>();
  readonly sent: Message[] = [];
  /** Messages are delivered only when every filter lets them through. */
  filters: Filter[] = [];

  constructor(
    ids: readonly NodeId[],
    readonly options: Partial<RaftConfig> = {},
  ) {
    for (const id of ids) this.add(id, ids);
  }

  add(id: NodeId, peers: readonly NodeId[]): Raft {
    const storage = this.storage.get(id) ?? new MemoryStorage();
    this.storage.set(id, storage);
    let seed = id.charCodeAt(id.length - 1);
    const random = () => ((seed = (seed * 16807) % 2147483647) % 1000) / 1000;
    const raft = new Raft({ random, ...this.options, id, peers, storage: storage.state() });
    this.nodes.set(id, raft);
    if (!this.applied.has(id)) this.applied.set(id, []);
    return raft;
  }

  /** A crash and restart from what reached the disk. */
  restart(id: NodeId, peers: readonly NodeId[]): Raft {
    this.applied.set(id, []);
    return this.add(id, peers);
  }

  node(id: NodeId): Raft {
    const raft = this.nodes.get(id);
    if (raft === undefined) throw new Error(`no member ${id}`);
    return raft;
  }

  isolate(id: NodeId): void {
    this.filters.push((m) => m.from !== id && m.to !== id);
  }

  heal(): void {
    this.filters = [];
  }

  /** One Ready round for every member; returns the messages they sent. */
  round(): Message[] {
    const out: Message[] = [];
    for (const [id, raft] of this.nodes) {
      if (!raft.hasReady()) continue;
      const ready = raft.ready();
      this.storage.get(id)!.save(ready);
      out.push(...ready.messages);
      const applied = this.applied.get(id)!;
      if (ready.snapshot !== undefined) applied.length = 0;
      applied.push(...ready.committedEntries);
      raft.advance(ready);
    }
    this.sent.push(...out);
    return out;
  }

  deliver(messages: readonly Message[]): void {
    for (const m of messages) {
      if (!this.filters.every((f) => f(m))) continue;
      this.nodes.get(m.to)?.step(m);
    }
  }

  /** Runs rounds until no member has anything to do. */
  stabilize(limit = 1000): void {
    for (let i = 0; i < limit; i++) {
      const messages = this.round();
      const pending = [...this.nodes.values()].some((raft) => raft.hasReady());
      if (messages.length === 0 && !pending) return;
      this.deliver(messages);
    }
    throw new Error('memory cluster did not stabilize');
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) for (const raft of this.nodes.values()) raft.tick();
  }

  /** Makes `id` campaign and settles the election. */
  elect(id: NodeId): Raft {
    this.node(id).campaign();
    this.stabilize();
    return this.node(id);
  }

  leader(): Raft | undefined {
    return [...this.nodes.values()].find((raft) => raft.role === 'leader');
  }

  /** The commands applied by `id`, decoded as text, empty no-op entries left out. */
  appliedText(id: NodeId): string[] {
    const decoder = new TextDecoder();
    return this.applied.get(id)!.filter((e) => e.type === 'normal' && e.data.length > 0).map((e) => decoder.decode(e.data));
  }
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
