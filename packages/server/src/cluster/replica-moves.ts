/**
 * Where replicas go when the cluster's members change (docs/cluster.md, "Adding and removing
 * nodes"): decided on the node that handles the change, from the replicated queues it knows; each
 * queue whose replica set changes gets one committed metadata change naming its new members and
 * preferred leader, and its Raft group then moves one member at a time (queue-group.ts).
 *
 * Three steps, each as few moves as it takes:
 * 1. a replica on a node that is no longer a member moves to the member holding the fewest
 *    replicas (a queue keeps its replica count while there are enough members), and a queue with
 *    fewer replicas than it asked for (shrunk while the cluster was small) grows the same way;
 * 2. replicas spread: while one member holds two more than another, one moves from the first to
 *    the second (a member that is not the queue's preferred leader moves first);
 * 3. preferred leaders spread the same way: first by naming another member of the queue, else by
 *    moving the leader's replica to the member that leads fewest.
 * Ties go to the first node by name, so the plan is the same wherever it is made.
 */

/** A replicated queue's replica set, as the metadata records it. */
export interface ReplicaSet {
  readonly vhost: string;
  readonly name: string;
  readonly group: string;
  readonly members: readonly string[];
  readonly leader: string;
  /** How many replicas the queue asked for (`x-quorum-initial-group-size`); without it, it keeps as many as it has. */
  readonly size?: number;
}

/** The plan: the queues whose replica set changes, with their new one. */
export function planReplicaMoves(queues: readonly ReplicaSet[], nodes: readonly string[]): ReplicaSet[] {
  const ring = [...new Set(nodes)].sort();
  if (ring.length === 0) return [];
  const sets = queues.map((q) => ({ ...q, members: [...q.members] }));
  const replicas = new Map(ring.map((n) => [n, 0]));
  const leaders = new Map(ring.map((n) => [n, 0]));
  const add = (counts: Map<string, number>, node: string, by: number) => {
    if (counts.has(node)) counts.set(node, counts.get(node)! + by);
  };
  for (const set of sets) {
    for (const m of set.members) add(replicas, m, 1);
    add(leaders, set.leader, 1);
  }
  const fewest = (counts: Map<string, number>, among: readonly string[]) => among.reduce<string | undefined>((best, n) => (best === undefined || counts.get(n)! < counts.get(best)! ? n : best), undefined);
  const most = (counts: Map<string, number>) => ring.reduce((best, n) => (counts.get(n)! > counts.get(best)! ? n : best), ring[0]!);
  const move = (set: (typeof sets)[number], from: string, to: string) => {
    set.members[set.members.indexOf(from)] = to;
    add(replicas, from, -1);
    add(replicas, to, 1);
    if (set.leader === from) {
      set.leader = to;
      add(leaders, from, -1);
      add(leaders, to, 1);
    }
  };

  // 1. Replicas on nodes that are gone.
  for (const set of sets) {
    for (const gone of set.members.filter((m) => !replicas.has(m))) {
      const to = fewest(replicas, ring.filter((n) => !set.members.includes(n)));
      if (to !== undefined) {
        const wasLeader = set.leader === gone;
        move(set, gone, to);
        if (wasLeader) {
          // The new member is not caught up yet: lead with the remaining member leading fewest.
          const leader = fewest(leaders, set.members.filter((m) => m !== to)) ?? to;
          add(leaders, to, -1);
          set.leader = leader;
          add(leaders, leader, 1);
        }
      } else {
        set.members.splice(set.members.indexOf(gone), 1);
        if (set.leader === gone && set.members.length > 0) {
          set.leader = fewest(leaders, set.members)!;
          add(leaders, set.leader, 1);
        }
      }
    }
  }
  for (const set of sets) {
    while (set.size !== undefined && set.members.length < Math.min(set.size, ring.length)) {
      const to = fewest(replicas, ring.filter((n) => !set.members.includes(n)))!;
      set.members.push(to);
      add(replicas, to, 1);
    }
  }
  const limit = sets.length * ring.length + 1;
  // 2. Replicas spread.
  for (let i = 0; i < limit; i++) {
    const from = most(replicas);
    const to = fewest(replicas, ring)!;
    if (replicas.get(from)! - replicas.get(to)! <= 1) break;
    const candidates = sets.filter((s) => s.members.includes(from) && !s.members.includes(to));
    const set = candidates.find((s) => s.leader !== from) ?? candidates[0];
    if (set === undefined) break;
    move(set, from, to);
  }
  // 3. Preferred leaders spread.
  for (let i = 0; i < limit; i++) {
    const from = most(leaders);
    const to = fewest(leaders, ring)!;
    if (leaders.get(from)! - leaders.get(to)! <= 1) break;
    const led = sets.filter((s) => s.leader === from);
    const within = led.find((s) => s.members.includes(to));
    if (within !== undefined) {
      within.leader = to;
      add(leaders, from, -1);
      add(leaders, to, 1);
    } else if (led[0] !== undefined) {
      move(led[0], from, to);
    } else break;
  }
  return sets.filter((set, i) => set.leader !== queues[i]!.leader || set.members.join() !== queues[i]!.members.join());
}
