/** Proposing to a replicated queue's group from any node: who is asked, and when it gives up. */
import { describe, expect, it, vi } from 'vitest';
import { NotLeaderError } from '../raft-node.js';
import { ForwardError, type ClusterTransport } from '../node/cluster-transport.js';
import { ClusterUnavailableError } from '../node/metadata-group.js';
import { GroupProposer, type LocalMember } from './group-proposer.js';

type Answer = (to: string) => Promise<number>;

function proposer(node: string, answer: Answer, local?: LocalMember<string>) {
  const asked: string[] = [];
  const transport = {
    forward: (to: string) => {
      asked.push(to);
      return answer(to);
    },
  } as unknown as ClusterTransport;
  const p = new GroupProposer<string>({
    node,
    group: 'q:%2F:orders:7',
    members: ['a', 'b', 'c'],
    preferred: 'b',
    transport: () => transport,
    encode: (command) => new TextEncoder().encode(command),
    local: () => local,
  });
  return { p, asked };
}

describe('GroupProposer', () => {
  it('asks the preferred leader first, and follows the leader a refusal names at once', async () => {
    const { p, asked } = proposer('x', (to) => (to === 'c' ? Promise.resolve(42) : Promise.reject(new ForwardError('not the leader', 'c'))));
    await expect(p.propose('enqueue', 5_000)).resolves.toBe(42);
    expect(asked).toEqual(['b', 'c']);
  });

  it('proposes on its own member when that leads, and forwards to the leader it knows otherwise', async () => {
    const proposed: string[] = [];
    const leading: LocalMember<string> = { leader: 'a', propose: (c) => (proposed.push(c), Promise.resolve(3)) };
    const here = proposer('a', () => Promise.reject(new Error('not asked')), leading);
    await expect(here.p.propose('settle', 5_000)).resolves.toBe(3);
    expect(proposed).toEqual(['settle']);
    expect(here.asked).toEqual([]);

    const following: LocalMember<string> = { leader: 'c', propose: () => Promise.reject(new NotLeaderError('c')) };
    const there = proposer('a', () => Promise.resolve(9), following);
    await expect(there.p.propose('settle', 5_000)).resolves.toBe(9);
    expect(there.asked).toEqual(['c']);
  });

  it('moves on to another member when a connection is lost or nobody leads', async () => {
    let calls = 0;
    const { p, asked } = proposer('x', () => (++calls < 3 ? Promise.reject(new ForwardError('lost the connection', null)) : Promise.resolve(5)));
    await expect(p.propose('enqueue', 5_000)).resolves.toBe(5);
    expect(new Set(asked).size).toBeGreaterThan(1);
  });

  it('gives up with cluster_unavailable at its deadline instead of waiting forever', async () => {
    const { p } = proposer('x', () => new Promise<number>(() => undefined));
    await expect(p.propose('enqueue', 300)).rejects.toBeInstanceOf(ClusterUnavailableError);
  });

  it('leaves a leader that does not answer (frozen, cut off) as soon as its own member follows a newer one', async () => {
    vi.useFakeTimers();
    try {
      // The old leader c never answers; this node's member then learns that a leads.
      const member = { leader: 'c' as string | null, propose: () => Promise.reject(new NotLeaderError(member.leader)) };
      const { p, asked } = proposer('b', (to) => (to === 'a' ? Promise.resolve(11) : new Promise<number>(() => undefined)), member);
      let index: number | undefined;
      void p.propose('enqueue', 8_000).then((i) => (index = i));
      await vi.advanceTimersByTimeAsync(50);
      member.leader = 'a';
      // Far less than the 3 s a try to c may otherwise take.
      await vi.advanceTimersByTimeAsync(300);
      expect(index).toBe(11);
      expect(asked).toEqual(['c', 'a']);
    } finally {
      vi.useRealTimers();
    }
  });
});
