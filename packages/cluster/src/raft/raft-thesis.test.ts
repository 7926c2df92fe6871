/**
 * Scripted tests for what Ongaro's thesis ("Consensus: Bridging Theory and Practice", 2014) adds
 * to the paper and Warren relies on: pre-vote, check-quorum, read-index, log compaction with
 * InstallSnapshot, one-at-a-time membership with learners, and leadership transfer.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCluster, text } from '../testing/memory-cluster.js';

const ids = ['a', 'b', 'c'];

function settleElection(group: MemoryCluster, rounds = 40): void {
  for (let i = 0; i < rounds; i++) {
    group.tickAll();
    group.stabilize();
  }
}

describe('§9.6 pre-vote', () => {
  it('a member cut off from the group does not raise its term, and does not depose the leader when it returns', () => {
    const group = new MemoryCluster(ids);
    group.elect('a');
    group.isolate('c');
    for (let i = 0; i < 100; i++) group.node('c').tick();
    group.stabilize();
    expect(group.node('c').term).toBe(1);
    expect(group.node('c').role).toBe('preCandidate');
    group.heal();
    settleElection(group, 5);
    expect(group.node('a').role).toBe('leader');
    expect(group.node('a').term).toBe(1);
    expect(group.node('c').lead).toBe('a');
  });

  it('without pre-vote the same member would disrupt the group on return (the problem pre-vote solves)', () => {
    const group = new MemoryCluster(ids, { preVote: false, checkQuorum: false });
    group.elect('a');
    group.isolate('c');
    for (let i = 0; i < 100; i++) group.node('c').tick();
    group.stabilize();
    expect(group.node('c').term).toBeGreaterThan(1);
  });
});

describe('§6.2 check-quorum', () => {
  it('a leader that has not heard from a majority for an election timeout steps down', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    group.isolate('a');
    for (let i = 0; i < 2 * leader.electionTick; i++) {
      leader.tick();
      group.stabilize();
    }
    expect(leader.role).toBe('follower');
  });

  it('a follower that hears from its leader ignores a vote request (leader lease)', () => {
    const group = new MemoryCluster(ids);
    group.elect('a');
    const b = group.node('b');
    b.step({ type: 'vote', from: 'c', to: 'b', term: 5, index: 100, logTerm: 5 });
    expect(b.term).toBe(1);
    expect(b.messages).toEqual([]);
  });
});

describe('§6.4 read-index', () => {
  it('the leader serves a read at its commit index only after a heartbeat round confirms it leads', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    leader.propose(text('x'));
    group.stabilize();
    group.isolate('b');
    group.isolate('c');
    leader.readIndex('r1');
    group.stabilize();
    expect(group.node('a').readStates).toEqual([]);
    group.heal();
    group.tickAll();
    const states: { index: number; context: string }[] = [];
    for (let i = 0; i < 10; i++) {
      if (leader.hasReady()) {
        const ready = leader.ready();
        states.push(...ready.readStates);
        leader.advance(ready);
        group.deliver(ready.messages);
      }
      group.deliver(group.round());
    }
    expect(states).toEqual([{ index: 3, context: 'r1' }]);
  });

  it('a follower forwards a read to the leader and gets the index back', () => {
    const group = new MemoryCluster(ids);
    group.elect('a');
    group.node('a').propose(text('x'));
    group.stabilize();
    const c = group.node('c');
    c.readIndex('r2');
    const out = group.round();
    group.deliver(out);
    const states: { index: number; context: string }[] = [];
    for (let i = 0; i < 6; i++) {
      for (const [id, raft] of group.nodes) {
        if (!raft.hasReady()) continue;
        const ready = raft.ready();
        if (id === 'c') states.push(...ready.readStates);
        group.storage.get(id)!.save(ready);
        raft.advance(ready);
        group.deliver(ready.messages);
      }
    }
    expect(states).toEqual([{ index: 3, context: 'r2' }]);
  });

  it('a new leader answers no read before it has committed an entry of its own term', () => {
    const group = new MemoryCluster(ids);
    const a = group.node('a');
    a.campaign();
    // Elected, but its no-op entry is not committed yet.
    for (let i = 0; i < 4; i++) group.deliver(group.round());
    expect(a.role).toBe('leader');
    a.readIndex('early');
    expect(a.pendingReads).toEqual([{ from: 'a', context: 'early' }]);
  });
});

describe('§7 log compaction and InstallSnapshot', () => {
  it('a member far behind a compacted log gets a snapshot, then the entries after it', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    group.isolate('c');
    for (let i = 0; i < 10; i++) leader.propose(text(`p${i}`));
    group.stabilize();
    leader.compact(leader.log.applied, text('state-after-10'));
    expect(leader.log.firstIndex).toBe(13);
    group.heal();
    leader.propose(text('p10'));
    settleElection(group, 3);
    const c = group.node('c');
    expect(group.storage.get('c')!.snapshot).toMatchObject({ index: 12, data: text('state-after-10') });
    expect(c.log.committed).toBe(13);
    expect(group.appliedText('c')).toEqual(['p10']);
  });

  it('a snapshot counts as applied only once the shell installed it, so no read is answered from the state before it', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    group.isolate('c');
    for (let i = 0; i < 10; i++) leader.propose(text(`p${i}`));
    group.stabilize();
    leader.compact(leader.log.applied, text('state-after-10'));
    group.heal();
    const c = group.node('c');
    const before = c.log.applied;
    // Deliver appends and heartbeats to c until the snapshot lands in its log, without a Ready.
    for (let i = 0; i < 10; i++) {
      leader.tick();
      const out = leader.ready();
      leader.advance(out);
      for (const m of out.messages) if (m.to === 'c') c.step(m);
      if (c.log.snapshotIndex === 12) break;
      const answer = c.ready();
      c.advance(answer);
      for (const m of answer.messages) leader.step(m);
    }
    const ready = c.ready();
    expect(ready.snapshot?.index).toBe(12);
    expect(c.log.applied).toBe(before);
    c.advance(ready);
    expect(c.log.applied).toBe(12);
  });
});

describe('§4 membership changes', () => {
  it('a new member joins as a learner that neither votes nor counts, catches up, then is promoted', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    leader.propose(text('x'));
    group.stabilize();
    group.add('d', []);
    expect(leader.proposeConfChange({ type: 'promote', node: 'd' })).toBeUndefined();
    leader.proposeConfChange({ type: 'addLearner', node: 'd' });
    settleElection(group, 3);
    const d = group.node('d');
    expect(leader.tracker.learners).toEqual(['d']);
    expect(d.promotable()).toBe(false);
    expect(group.appliedText('d')).toEqual(['x']);
    // It learned the first voters from the log's bootstrap entry, not from its own start options.
    expect(d.tracker.voters).toEqual(['a', 'b', 'c']);
    // A learner does not count: with b and c gone, nothing commits.
    group.isolate('b');
    group.isolate('c');
    const before = leader.log.committed;
    leader.propose(text('y'));
    group.stabilize();
    expect(leader.log.committed).toBe(before);
    group.heal();
    settleElection(group, 3);
    expect(leader.proposeConfChange({ type: 'promote', node: 'd' })).toBeDefined();
    settleElection(group, 3);
    expect(leader.tracker.voters).toEqual(['a', 'b', 'c', 'd']);
    expect(d.promotable()).toBe(true);
  });

  it('one change at a time: a second change waits until the first is applied', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    group.add('d', []);
    expect(leader.proposeConfChange({ type: 'addLearner', node: 'd' })).toBeDefined();
    expect(leader.proposeConfChange({ type: 'remove', node: 'c' })).toBeUndefined();
    group.stabilize();
    expect(leader.proposeConfChange({ type: 'remove', node: 'c' })).toBeDefined();
    group.stabilize();
    expect(leader.tracker.voters).toEqual(['a', 'b']);
  });

  it('a removed leader steps down and the rest elect a new one', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    leader.proposeConfChange({ type: 'remove', node: 'a' });
    group.stabilize();
    expect(leader.role).toBe('follower');
    settleElection(group, 40);
    expect(['b', 'c']).toContain(group.leader()?.id);
    expect(group.leader()!.tracker.voters).toEqual(['b', 'c']);
  });
});

describe('§3.10 leadership transfer', () => {
  it('the leader catches the target up, tells it to campaign, and the target wins without waiting for a timeout', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    group.isolate('c');
    leader.propose(text('x'));
    group.stabilize();
    group.heal();
    expect(leader.transferLeadership('c')).toBe(true);
    expect(leader.propose(text('refused while transferring'))).toBeUndefined();
    group.stabilize();
    expect(group.node('c').role).toBe('leader');
    expect(group.node('c').term).toBe(2);
    expect(leader.role).toBe('follower');
  });

  it('a transfer that cannot finish is abandoned after an election timeout', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    group.isolate('c');
    leader.transferLeadership('c');
    for (let i = 0; i < leader.electionTick; i++) {
      leader.tick();
      group.stabilize();
    }
    expect(leader.role).toBe('leader');
    expect(leader.leadTransferee).toBeNull();
    expect(leader.propose(text('y'))).toBeDefined();
  });
});
