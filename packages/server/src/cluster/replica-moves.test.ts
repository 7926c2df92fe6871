/** Where replicas and preferred leaders move when the cluster's members change. */
import { describe, expect, it } from 'vitest';
import { planReplicaMoves, type ReplicaSet } from './replica-moves.js';
import { placeReplicas } from './replica-placement.js';

/** `count` queues placed one after another on `nodes`, as declarations place them. */
function placed(count: number, nodes: string[], size = 3): ReplicaSet[] {
  const leading = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const { members, leader } = placeReplicas(`g${i}`, { 'x-quorum-initial-group-size': size }, nodes, leading);
    leading.set(leader, (leading.get(leader) ?? 0) + 1);
    return { vhost: '/', name: `q${i}`, group: `g${i}`, members, leader };
  });
}

/** The queues after the plan. */
function after(queues: ReplicaSet[], nodes: string[]): ReplicaSet[] {
  const moved = new Map(planReplicaMoves(queues, nodes).map((s) => [s.group, s]));
  return queues.map((q) => moved.get(q.group) ?? q);
}

function counts(queues: ReplicaSet[], nodes: string[]): { replicas: number[]; leaders: number[] } {
  return {
    replicas: nodes.map((n) => queues.filter((q) => q.members.includes(n)).length),
    leaders: nodes.map((n) => queues.filter((q) => q.leader === n).length),
  };
}

const spread = (values: number[]) => Math.max(...values) - Math.min(...values);

describe('replica moves', () => {
  it('moves nothing when the replicas are already spread', () => {
    expect(planReplicaMoves(placed(6, ['a', 'b', 'c']), ['a', 'b', 'c'])).toEqual([]);
  });

  it('gives a joining node its share of replicas and of preferred leaders', () => {
    const nodes = ['a', 'b', 'c', 'd'];
    const result = after(placed(8, ['a', 'b', 'c']), nodes);
    const { replicas, leaders } = counts(result, nodes);
    expect(replicas).toEqual([6, 6, 6, 6]);
    expect(spread(leaders)).toBeLessThanOrEqual(1);
    expect(leaders[3]).toBeGreaterThanOrEqual(1);
    for (const q of result) {
      expect(new Set(q.members).size).toBe(3);
      expect(q.members).toContain(q.leader);
    }
  });

  it("replaces a removed node's replicas, keeping each queue's replica count, and leaders on the others", () => {
    const queues = placed(8, ['a', 'b', 'c', 'd']);
    const nodes = ['a', 'b', 'd'];
    const result = after(queues, nodes);
    for (const q of result) {
      expect(q.members.length).toBe(3);
      expect(q.members.every((m) => nodes.includes(m))).toBe(true);
      expect(q.members).toContain(q.leader);
    }
    expect(spread(counts(result, nodes).leaders)).toBeLessThanOrEqual(1);
    // Only the queues that had a replica on c, or whose leader had to move to spread leaders, change.
    const moved = planReplicaMoves(queues, nodes);
    expect(moved.filter((q) => !queues.find((o) => o.group === q.group)!.members.includes('c')).every((q) => q.members.join() === queues.find((o) => o.group === q.group)!.members.join())).toBe(true);
  });

  it('leads a queue whose leader is gone with a member that was already caught up', () => {
    const [q] = after([{ vhost: '/', name: 'q', group: 'g', members: ['a', 'b', 'c'], leader: 'c' }], ['a', 'b', 'd']);
    expect([...q!.members].sort()).toEqual(['a', 'b', 'd']);
    expect(['a', 'b']).toContain(q!.leader);
  });

  it('shrinks a queue when no member is left to take the replica', () => {
    const [q] = after([{ vhost: '/', name: 'q', group: 'g', members: ['a', 'b', 'c'], leader: 'a' }], ['b', 'c']);
    expect(q!.members).toEqual(['b', 'c']);
    expect(['b', 'c']).toContain(q!.leader);
  });

  it('grows a queue that has fewer replicas than it asked for, once there are nodes enough', () => {
    const [q] = after([{ vhost: '/', name: 'q', group: 'g', members: ['b', 'c'], leader: 'b', size: 3 }], ['a', 'b', 'c']);
    expect([...q!.members].sort()).toEqual(['a', 'b', 'c']);
    expect(planReplicaMoves([{ vhost: '/', name: 'q', group: 'g', members: ['b', 'c'], leader: 'b', size: 3 }], ['b', 'c'])).toEqual([]);
  });

  it('makes the same plan wherever it is made (node order does not matter)', () => {
    const queues = placed(10, ['a', 'b', 'c']);
    expect(planReplicaMoves(queues, ['d', 'c', 'b', 'a'])).toEqual(planReplicaMoves(queues, ['a', 'b', 'c', 'd']));
  });
});
