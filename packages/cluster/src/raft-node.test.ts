/**
 * The shell's order, with storage and transport held by the test: nothing that depends on a
 * Ready leaves before the Ready's write is done, so a follower answers an append only after the
 * fsync that covers it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RaftNode, type PeerLink, type RaftStorage } from './raft-node.js';
import type { Message, Ready, Snapshot } from './raft/types.js';
import { NO_HARD_STATE } from './raft/types.js';
import type { QueueLogCommand, QueueLogEffect } from './queue/queue-log.js';
import { replicatedQueueMachine, type ReplicatedQueueState } from './queue/replicated-queue.js';

const machine = replicatedQueueMachine({ id: 'q1', vhost: '/', name: 'work', durable: true, exclusive: false, autoDelete: false, arguments: {} });

class HeldStorage implements RaftStorage {
  readonly pending: { ready: Ready; done: (error?: Error) => void }[] = [];
  constructor() {
    held.push(this);
  }
  /** Completes every write still held: a node stops only once its write in progress is done. */
  releaseAll(): void {
    for (const write of this.pending.splice(0)) write.done();
  }
  load = async () => ({ hardState: NO_HARD_STATE, snapshot: undefined, entries: [] });
  save(ready: Ready, done: (error?: Error) => void): void {
    this.pending.push({ ready, done });
  }
  readonly compacted: Snapshot[] = [];
  compact(snapshot: Snapshot): void {
    this.compacted.push(snapshot);
  }
}

class CapturedLink implements PeerLink {
  readonly sent: Message[] = [];
  onMessage: (message: Message) => void = () => undefined;
  send(messages: readonly Message[]): void {
    this.sent.push(...messages);
  }
}

let node: RaftNode<ReplicatedQueueState, QueueLogCommand, QueueLogEffect> | undefined;
const held: HeldStorage[] = [];
afterEach(async () => {
  const stopping = node?.stop();
  node = undefined;
  for (const storage of held.splice(0)) storage.releaseAll();
  await stopping;
});

describe('RaftNode order: persist, then send, then apply', () => {
  it('a follower answers an append only once the write holding it is done', async () => {
    const storage = new HeldStorage();
    const link = new CapturedLink();
    node = await RaftNode.start({ id: 'b', peers: ['a', 'b', 'c'], storage, transport: link, machine, tickMs: 60_000 });
    // The first Ready persists the bootstrap entry; let it finish.
    await vi.waitFor(() => expect(storage.pending).toHaveLength(1));
    storage.pending.shift()!.done();
    const entry = { index: 2, term: 1, type: 'normal' as const, data: machine.encode({ t: 'enqueue', id: 'm1', client: 'p', now: 0, body: new Uint8Array(0) }) };
    link.onMessage({ type: 'append', from: 'a', to: 'b', term: 1, index: 1, logTerm: 0, entries: [entry], commit: 1 });
    await vi.waitFor(() => expect(storage.pending).toHaveLength(1));
    const write = storage.pending.shift()!;
    expect(write.ready.entries).toEqual([entry]);
    expect(write.ready.mustSync).toBe(true);
    // Written but not synced: not a word to the leader yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(link.sent).toEqual([]);
    write.done();
    expect(link.sent).toEqual([expect.objectContaining({ type: 'appendResp', to: 'a', index: 2 })]);
  });

  it('a write that fails stops the member: it answers nothing and applies nothing', async () => {
    const storage = new HeldStorage();
    const link = new CapturedLink();
    node = await RaftNode.start({ id: 'b', peers: ['a', 'b', 'c'], storage, transport: link, machine, tickMs: 60_000 });
    await vi.waitFor(() => expect(storage.pending).toHaveLength(1));
    storage.pending.shift()!.done(new Error('disk full'));
    link.onMessage({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(storage.pending).toEqual([]);
    expect(link.sent).toEqual([]);
  });
});

describe('RaftNode snapshots', () => {
  it('a snapshot written over several turns covers the index it was taken at, while entries after it go on being applied', async () => {
    const storage = new HeldStorage();
    const link = new CapturedLink();
    let slices = 0;
    // The machine's writer, made to go on slice after slice until entry 5 is applied.
    const sliced = {
      ...machine,
      snapshotWriter(state: ReplicatedQueueState) {
        const writer = machine.snapshotWriter!(state);
        return { write: (budgetMs: number) => (++slices, node!.raft.log.applied < 5 ? undefined : writer.write(budgetMs)) };
      },
    };
    node = await RaftNode.start({ id: 'b', peers: ['a', 'b', 'c'], storage, transport: link, machine: sliced, tickMs: 60_000, snapshotEvery: 3 });
    await vi.waitFor(() => expect(storage.pending).toHaveLength(1));
    storage.pending.shift()!.done();
    const entry = (index: number) => ({ index, term: 1, type: 'normal' as const, data: machine.encode({ t: 'enqueue', id: `m${index}`, client: 'p', now: 0, body: new Uint8Array(0) }) });
    link.onMessage({ type: 'append', from: 'a', to: 'b', term: 1, index: 1, logTerm: 0, entries: [entry(2), entry(3), entry(4)], commit: 4 });
    await vi.waitFor(() => expect(storage.pending).toHaveLength(1));
    storage.pending.shift()!.done();
    // Applied up to 4: the snapshot is taken there, and entry 5 is applied before it is written.
    link.onMessage({ type: 'append', from: 'a', to: 'b', term: 1, index: 4, logTerm: 1, entries: [entry(5)], commit: 5 });
    await vi.waitFor(() => expect(storage.pending).toHaveLength(1));
    storage.pending.shift()!.done();
    expect(node.raft.log.applied).toBe(5);
    expect(storage.compacted).toEqual([]);
    await vi.waitFor(() => expect(storage.compacted).toHaveLength(1));
    const [snapshot] = storage.compacted;
    expect(slices).toBeGreaterThan(1);
    expect(snapshot!.index).toBe(4);
    expect(node.raft.log.snapshotIndex).toBe(4);
    expect(machine.restore(snapshot!.data).machine.stats().ready).toBe(3);
  });
});

describe('RaftNode reads', () => {
  it('a read that no leader answers is refused after two election timeouts, not left hanging', async () => {
    const storage = new HeldStorage();
    const link = new CapturedLink();
    node = await RaftNode.start({ id: 'b', peers: ['a', 'b', 'c'], storage, transport: link, machine, tickMs: 5, electionTick: 100 });
    await vi.waitFor(() => expect(storage.pending).toHaveLength(1));
    storage.pending.shift()!.done();
    // b hears from leader a, then a goes silent: the forwarded read is never answered.
    link.onMessage({ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 1 });
    await vi.waitFor(() => expect(storage.pending).toHaveLength(1));
    storage.pending.shift()!.done();
    const read = node.read();
    // A Ready with nothing to persist (the forwarded read) leaves without a write.
    await vi.waitFor(() => expect(link.sent).toContainEqual(expect.objectContaining({ type: 'readIndex', to: 'a' })));
    expect(storage.pending).toHaveLength(0);
    await expect(read).rejects.toMatchObject({ code: 'not_leader' });
  });
});
