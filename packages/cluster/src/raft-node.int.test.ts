/**
 * The shell for real: three members in one process, each with its own LevelDB in a temp
 * directory and its own port on 127.0.0.1, replicating core's queue machine (through the replicated adapter) over TCP.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalGroup } from './bench/local-group.js';
import { NotLeaderError } from './raft-node.js';
import type { QueueLogCommand, QueueLogEffect } from './queue/queue-log.js';
import { describeQueue, replicatedQueueMachine, type ReplicatedQueueState } from './queue/replicated-queue.js';

const machine = replicatedQueueMachine({ id: 'q1', vhost: '/', name: 'work', durable: true, exclusive: false, autoDelete: false, arguments: {} });
const enqueue = (id: string): QueueLogCommand => ({ t: 'enqueue', id, client: 'p', now: Date.now(), body: new Uint8Array(0) });

let group: LocalGroup<ReplicatedQueueState, QueueLogCommand, QueueLogEffect> | undefined;
afterEach(async () => {
  await group?.close();
  group = undefined;
});

const leaderOf = async (g: LocalGroup<ReplicatedQueueState, QueueLogCommand, QueueLogEffect>) => {
  await vi.waitFor(() => expect(g.leader()).toBeDefined(), { timeout: 10_000, interval: 10 });
  return g.leader()!;
};

describe('RaftNode over loopback TCP and LevelDB', () => {
  it('elects a leader, commits proposals on a majority, and every member applies them in order', async () => {
    group = await LocalGroup.start(machine);
    const leader = await leaderOf(group);
    const indexes = await Promise.all(Array.from({ length: 50 }, (_, i) => leader.node.propose(enqueue(`m${i}`))));
    expect(new Set(indexes).size).toBe(50);
    await vi.waitFor(() => {
      for (const m of group!.members) expect(m.node.state.machine.stats().ready).toBe(50);
    }, { timeout: 10_000, interval: 10 });
    for (const m of group.members) expect(describeQueue(m.node.state)).toBe(describeQueue(leader.node.state));
    const follower = group.members.find((m) => m !== leader)!;
    await expect(follower.node.propose(enqueue('x'))).rejects.toBeInstanceOf(NotLeaderError);
    await expect(leader.node.read()).resolves.toBeUndefined();
  });

  it('survives losing its leader: the others elect a new one, and the old one catches up from its own disk', async () => {
    group = await LocalGroup.start(machine);
    const first = await leaderOf(group);
    await first.node.propose(enqueue('before'));
    await group.stop(first.id);
    const second = await leaderOf(group);
    expect(second.id).not.toBe(first.id);
    await second.node.propose(enqueue('after'));
    await group.restart(first.id);
    const back = group.members.find((m) => m.id === first.id)!;
    await vi.waitFor(() => expect([...back.node.state.seen.keys()]).toEqual(['before', 'after']), { timeout: 10_000, interval: 10 });
    expect(back.node.state.machine.stats().ready).toBe(2);
  });
});
