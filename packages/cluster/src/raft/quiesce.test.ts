/**
 * Quiescence (quiesce.ts), scripted: an idle group goes silent, and every way out of silence
 * still elects, steps down or replicates as Raft must. Liveness is what the test says it is.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCluster, text } from '../testing/memory-cluster.js';

const ids = ['a', 'b', 'c'];

/** A group whose members see the peers in `reachable` as live. */
function quietGroup(): { group: MemoryCluster; unreachable: Set<string> } {
  const unreachable = new Set<string>();
  const group = new MemoryCluster(ids, { quiesce: true, live: (peer) => !unreachable.has(peer) });
  return { group, unreachable };
}

function run(group: MemoryCluster, ticks: number): number {
  const before = group.sent.length;
  for (let i = 0; i < ticks; i++) {
    group.tickAll();
    group.stabilize();
  }
  return group.sent.length - before;
}

describe('quiescence', () => {
  it('an idle group stops heartbeating: no message at all for many election timeouts', () => {
    const { group } = quietGroup();
    group.elect('a');
    run(group, 5);
    expect(ids.map((id) => group.node(id).quiesced)).toEqual([true, true, true]);
    expect(run(group, 200)).toBe(0);
    expect(group.node('a').role).toBe('leader');
  });

  it('a learner added while out of reach is caught up once it comes into reach: the leader does not quiesce without it', () => {
    const { group, unreachable } = quietGroup();
    const a = group.elect('a');
    run(group, 5);
    a.propose(text('x'));
    group.add('d', []);
    group.isolate('d');
    unreachable.add('d');
    a.proposeConfChange({ type: 'addLearner', node: 'd' });
    run(group, 20);
    // Every voter holds the whole log, but the learner does not: the leader stays awake.
    expect(a.quiesced).toBe(false);
    group.heal();
    unreachable.delete('d');
    run(group, 20);
    expect(group.appliedText('d')).toEqual(['x']);
    expect(a.tracker.learners).toEqual(['d']);
    expect(ids.map((id) => group.node(id).quiesced)).toEqual([true, true, true]);
  });

  it('without quiescence the same group sends heartbeats every tick', () => {
    const group = new MemoryCluster(ids);
    group.elect('a');
    expect(run(group, 20)).toBeGreaterThan(20);
  });

  it('a proposal wakes the leader, is committed everywhere, and the group goes quiet again', () => {
    const { group } = quietGroup();
    group.elect('a');
    run(group, 5);
    group.node('a').propose(text('x'));
    group.stabilize();
    expect(ids.map((id) => group.appliedText(id))).toEqual([['x'], ['x'], ['x']]);
    run(group, 5);
    expect(ids.map((id) => group.node(id).quiesced)).toEqual([true, true, true]);
  });

  it("followers whose leader's node goes out of reach elect a new leader within an election timeout", () => {
    const { group, unreachable } = quietGroup();
    const a = group.elect('a');
    run(group, 5);
    group.isolate('a');
    unreachable.add('a');
    for (const id of ['b', 'c']) group.node(id).peerLiveness('a', false);
    run(group, 2 * a.electionTick);
    const leader = [group.node('b'), group.node('c')].find((r) => r.role === 'leader');
    expect(leader?.term).toBe(2);
  });

  it('a quiesced leader cut off from its members steps down once it hears they are out of reach', () => {
    const { group, unreachable } = quietGroup();
    const a = group.elect('a');
    run(group, 5);
    group.isolate('a');
    unreachable.add('b');
    unreachable.add('c');
    a.peerLiveness('b', false);
    expect(a.quiesced).toBe(false);
    run(group, a.electionTick + 1);
    expect(a.role).toBe('follower');
  });

  it('a follower that never gets the quiesce heartbeat campaigns; once it does, the group settles quiet under one leader', () => {
    const { group } = quietGroup();
    const a = group.elect('a');
    group.filters.push((m) => !(m.quiesce === true && m.to === 'c'));
    run(group, 4 * a.electionTick);
    expect(group.sent.some((m) => m.type === 'preVote' && m.from === 'c')).toBe(true);
    group.heal();
    run(group, 6 * a.electionTick);
    const leaders = ids.filter((id) => group.node(id).role === 'leader');
    expect(leaders).toHaveLength(1);
    expect(ids.map((id) => group.node(id).quiesced)).toEqual([true, true, true]);
    expect(ids.map((id) => group.node(id).lead)).toEqual([leaders[0], leaders[0], leaders[0]]);
  });

  it('a restarted member learns its quiesced leader from the answer to its pre-vote, without waking the leader', () => {
    const { group } = quietGroup();
    const a = group.elect('a');
    run(group, 5);
    const c = group.restart('c', ids);
    expect(c.lead).toBe(null);
    run(group, 2 * a.electionTick + 2);
    expect(c.lead).toBe('a');
    expect(c.quiesced).toBe(true);
    expect(a.quiesced).toBe(true);
    expect(a.term).toBe(1);
  });

  it('a leader does not quiesce while a member in reach lacks entries, and skips one out of reach', () => {
    const { group, unreachable } = quietGroup();
    const a = group.elect('a');
    group.isolate('c');
    a.propose(text('y'));
    run(group, 5);
    expect(a.quiesced).toBe(false);
    unreachable.add('c');
    run(group, 5);
    expect(a.quiesced).toBe(true);
    // c comes back: the leader wakes and catches it up, then all go quiet.
    group.heal();
    unreachable.delete('c');
    a.peerLiveness('c', true);
    run(group, 5);
    expect(group.appliedText('c')).toEqual(['y']);
    expect(ids.map((id) => group.node(id).quiesced)).toEqual([true, true, true]);
  });
});
