/**
 * The shell for real: three members in one process, each with its own LevelDB in a temp
 * directory and its own port on 127.0.0.1, replicating the queue-contract machine over TCP.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalGroup } from './bench/local-group.js';
import { NotLeaderError } from './raft-node.js';
import { queueContractMachine, type QueueCommand, type QueueEffect, type QueueState } from './sim/queue-contract-machine.js';

let group: LocalGroup<QueueState, QueueCommand, QueueEffect> | undefined;
afterEach(async () => {
  await group?.close();
  group = undefined;
});

const leaderOf = async (g: LocalGroup<QueueState, QueueCommand, QueueEffect>) => {
  await vi.waitFor(() => expect(g.leader()).toBeDefined(), { timeout: 10_000, interval: 10 });
  return g.leader()!;
};

describe('RaftNode over loopback TCP and LevelDB', () => {
  it('elects a leader, commits proposals on a majority, and every member applies them in order', async () => {
    group = await LocalGroup.start(queueContractMachine);
    const leader = await leaderOf(group);
    const indexes = await Promise.all(Array.from({ length: 50 }, (_, i) => leader.node.propose({ t: 'enqueue', id: `m${i}`, client: 'p' })));
    expect(new Set(indexes).size).toBe(50);
    await vi.waitFor(() => {
      for (const m of group!.members) expect(m.node.state.ready).toHaveLength(50);
    }, { timeout: 10_000, interval: 10 });
    for (const m of group.members) expect(m.node.state.ready).toEqual(leader.node.state.ready);
    const follower = group.members.find((m) => m !== leader)!;
    await expect(follower.node.propose({ t: 'enqueue', id: 'x', client: 'p' })).rejects.toBeInstanceOf(NotLeaderError);
    await expect(leader.node.read()).resolves.toBeUndefined();
  });

  it('survives losing its leader: the others elect a new one, and the old one catches up from its own disk', async () => {
    group = await LocalGroup.start(queueContractMachine);
    const first = await leaderOf(group);
    await first.node.propose({ t: 'enqueue', id: 'before', client: 'p' });
    await group.stop(first.id);
    const second = await leaderOf(group);
    expect(second.id).not.toBe(first.id);
    await second.node.propose({ t: 'enqueue', id: 'after', client: 'p' });
    await group.restart(first.id);
    const back = group.members.find((m) => m.id === first.id)!;
    await vi.waitFor(() => expect(back.node.state.ready).toEqual(['before', 'after']), { timeout: 10_000, interval: 10 });
  });
});
