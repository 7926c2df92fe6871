/**
 * One scripted test per claim of the Raft paper (Ongaro & Ousterhout, "In Search of an
 * Understandable Consensus Algorithm", 2014), in the manner of etcd's raft_paper_test.go. Each
 * drives the pure Raft by hand: messages in, Ready out.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCluster, MemoryStorage, text } from '../testing/memory-cluster.js';
import { Raft } from './raft.js';
import { NO_HARD_STATE, type Entry, type Message } from './types.js';

const fresh = { hardState: NO_HARD_STATE, snapshot: undefined, entries: [] };
const ids = ['a', 'b', 'c'];

function member(id = 'a', entries: Entry[] = [], term = 0, options: Partial<ConstructorParameters<typeof Raft>[0]> = {}): Raft {
  return new Raft({ id, peers: ids, storage: { hardState: { term, vote: null, commit: 0 }, snapshot: undefined, entries }, random: () => 0, ...options });
}

const entry = (index: number, term: number, data = `e${index}`): Entry => ({ index, term, type: 'normal', data: text(data) });

function drain(r: Raft): Message[] {
  if (!r.hasReady()) return [];
  const ready = r.ready();
  r.advance(ready);
  return [...ready.messages];
}

describe('§5.1 terms', () => {
  it('a member seeing a higher term takes it and becomes follower, whatever its role', () => {
    for (const role of ['follower', 'candidate', 'leader'] as const) {
      const r = member();
      if (role === 'candidate') r.becomeCandidate();
      if (role === 'leader') {
        r.becomeCandidate();
        r.becomeLeader();
      }
      r.step({ type: 'append', from: 'b', to: 'a', term: 5, index: 0, logTerm: 0, entries: [], commit: 0 });
      expect(r.term).toBe(5);
      expect(r.role).toBe('follower');
      expect(r.lead).toBe('b');
    }
  });

  it('a request with a stale term is rejected and answered with the current term', () => {
    const r = member('a', [], 3);
    r.step({ type: 'append', from: 'b', to: 'a', term: 2, index: 0, logTerm: 0, entries: [entry(1, 2)], commit: 0 });
    expect(r.log.lastIndex).toBe(0);
    const out = drain(r);
    expect(out).toEqual([expect.objectContaining({ type: 'appendResp', to: 'b', term: 3 })]);
  });
});

describe('§5.2 leader election', () => {
  it('a follower whose election timer fires pre-votes, then campaigns: term + 1, votes for itself, asks every voter', () => {
    const r = member();
    for (let i = 0; i < r.randomizedElectionTimeout; i++) r.tick();
    expect(r.role).toBe('preCandidate');
    expect(r.term).toBe(0);
    const pre = drain(r);
    expect(pre.map((m) => [m.type, m.to, m.term])).toEqual([
      ['preVote', 'b', 1],
      ['preVote', 'c', 1],
    ]);
    r.step({ type: 'preVoteResp', from: 'b', to: 'a', term: 1, reject: false });
    expect(r.role).toBe('candidate');
    expect(r.term).toBe(1);
    expect(r.vote).toBe('a');
    expect(drain(r).map((m) => [m.type, m.to, m.term])).toEqual([
      ['vote', 'b', 1],
      ['vote', 'c', 1],
    ]);
  });

  it('a candidate with votes from a majority becomes leader; a majority of rejections sends it back', () => {
    const won = member('a', [], 0, { preVote: false });
    won.campaign();
    won.step({ type: 'voteResp', from: 'c', to: 'a', term: 1, reject: false });
    expect(won.role).toBe('leader');
    const lost = member('a', [], 0, { preVote: false });
    lost.campaign();
    lost.step({ type: 'voteResp', from: 'b', to: 'a', term: 1, reject: true });
    expect(lost.role).toBe('candidate');
    lost.step({ type: 'voteResp', from: 'c', to: 'a', term: 1, reject: true });
    expect(lost.role).toBe('follower');
  });

  it('a voter grants at most one vote per term, first come first served', () => {
    const r = member('a');
    // A fresh member's log holds the bootstrap entry (index 1, term 0), as the candidates' do.
    r.step({ type: 'vote', from: 'b', to: 'a', term: 1, index: 1, logTerm: 0 });
    r.step({ type: 'vote', from: 'c', to: 'a', term: 1, index: 1, logTerm: 0 });
    r.step({ type: 'vote', from: 'b', to: 'a', term: 1, index: 1, logTerm: 0 });
    expect(drain(r).map((m) => [m.to, m.reject])).toEqual([
      ['b', false],
      ['c', true],
      ['b', false],
    ]);
    expect(r.hardState()).toEqual({ term: 1, vote: 'b', commit: 1 });
  });

  it('the term and vote are in the Ready that carries the grant, and that Ready must sync', () => {
    const r = member('a');
    r.step({ type: 'vote', from: 'b', to: 'a', term: 4, index: 1, logTerm: 0 });
    const ready = r.ready();
    expect(ready.hardState).toEqual({ term: 4, vote: 'b', commit: 1 });
    expect(ready.mustSync).toBe(true);
    expect(ready.messages[0]).toMatchObject({ type: 'voteResp', reject: false });
  });

  it('a candidate hearing from a leader of its term becomes its follower', () => {
    const r = member('a', [], 0, { preVote: false });
    r.campaign();
    r.step({ type: 'heartbeat', from: 'b', to: 'a', term: 1, commit: 0 });
    expect(r.role).toBe('follower');
    expect(r.lead).toBe('b');
  });

  it('election timeouts are randomised in [electionTick, 2 * electionTick)', () => {
    const seen = new Set<number>();
    let x = 0;
    for (let i = 0; i < 200; i++) {
      const r = member('a', [], 0, { electionTick: 10, random: () => (x = (x + 0.37) % 1) });
      seen.add(r.randomizedElectionTimeout);
    }
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...seen)).toBeLessThan(20);
    expect(seen.size).toBeGreaterThan(5);
  });

  it('a group of three elects exactly one leader and the others follow it', () => {
    const group = new MemoryCluster(ids);
    group.elect('b');
    expect([...group.nodes.values()].map((r) => [r.role, r.lead, r.term])).toEqual([
      ['follower', 'b', 1],
      ['leader', 'b', 1],
      ['follower', 'b', 1],
    ]);
  });
});

describe('§5.3 log replication', () => {
  it('the leader appends a proposal, replicates it, commits it once a majority has it on disk, and every member applies it', () => {
    const group = new MemoryCluster(ids);
    const leader = group.elect('a');
    leader.propose(text('x'));
    group.stabilize();
    // 1: the bootstrap entry, 2: the leader's empty entry of its term, 3: the proposal.
    expect(leader.log.committed).toBe(3);
    for (const id of ids) expect(group.appliedText(id)).toEqual(['x']);
  });

  it('a follower acknowledges an append only in the Ready that persists it (with sync)', () => {
    const r = member('b');
    r.step({ type: 'append', from: 'a', to: 'b', term: 1, index: 0, logTerm: 0, entries: [entry(1, 1)], commit: 0 });
    const ready = r.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([1]);
    expect(ready.mustSync).toBe(true);
    expect(ready.messages).toEqual([expect.objectContaining({ type: 'appendResp', index: 1 })]);
  });

  it('the leader counts its own copy only after its Ready is persisted (advance)', () => {
    const r = member('a', [], 0, { preVote: false });
    r.campaign();
    r.step({ type: 'voteResp', from: 'b', to: 'a', term: 1, reject: false });
    const ready = r.ready();
    r.step({ type: 'appendResp', from: 'b', to: 'a', term: 1, index: 2 });
    expect(r.log.committed).toBe(1);
    r.advance(ready);
    expect(r.log.committed).toBe(2);
  });

  it('a follower rejects an append whose previous entry does not match, with a hint', () => {
    const r = member('b', [entry(1, 1), entry(2, 1)], 1);
    r.step({ type: 'append', from: 'a', to: 'b', term: 3, index: 3, logTerm: 3, entries: [entry(4, 3)], commit: 0 });
    const [response] = drain(r);
    expect(response).toMatchObject({ type: 'appendResp', reject: true, index: 3, hint: 2, logTerm: 1 });
    expect(r.log.lastIndex).toBe(2);
  });

  it('a follower deletes a conflicting entry and everything after it, then appends', () => {
    const r = member('b', [entry(1, 1), entry(2, 1), entry(3, 2)], 2);
    r.step({ type: 'append', from: 'a', to: 'b', term: 3, index: 1, logTerm: 1, entries: [entry(2, 3, 'new')], commit: 0 });
    expect(r.log.lastIndex).toBe(2);
    expect(r.log.term(2)).toBe(3);
  });

  it('the leader repairs followers whose logs diverge in each way of Figure 7', () => {
    // Figure 7: the leader's log has terms 1 1 1 4 4 5 5 6 6 6; followers are missing entries,
    // have extra uncommitted ones, or both.
    const terms = (ts: number[]) => ts.map((t, i) => entry(i + 1, t, `t${t}-${i + 1}`));
    const leaderLog = terms([1, 1, 1, 4, 4, 5, 5, 6, 6, 6]);
    const followers = [
      [1, 1, 1, 4, 4, 5, 5, 6, 6],
      [1, 1, 1, 4],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      [1, 1, 1, 4, 4, 4, 4],
      [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    ];
    for (const followerTerms of followers) {
      const group = new MemoryCluster([]);
      const storage = (entries: Entry[], term: number) => ({ hardState: { term, vote: null, commit: 0 }, snapshot: undefined, entries });
      const a = new Raft({ id: 'a', peers: ['a', 'b'], storage: storage(leaderLog, 7), random: () => 0, preVote: false });
      const b = new Raft({ id: 'b', peers: ['a', 'b'], storage: storage(terms(followerTerms), 7), random: () => 0, preVote: false });
      group.nodes.set('a', a).set('b', b);
      for (const id of ['a', 'b']) {
        group.applied.set(id, []);
        group.storage.set(id, new MemoryStorage());
      }
      a.becomeCandidate();
      a.becomeLeader();
      group.stabilize();
      expect(b.log.slice(1, b.log.lastIndex).map((e) => e.term)).toEqual([...leaderLog.map((e) => e.term), 8]);
    }
  });

  it('batching and pipelining: proposals of one turn share an append, and appends pipeline up to the window', () => {
    const group = new MemoryCluster(ids, { maxInflight: 2, maxEntriesPerAppend: 3 });
    const leader = group.elect('a');
    for (let i = 0; i < 9; i++) leader.propose(text(`p${i}`));
    const sent = group.round();
    expect(sent.filter((m) => m.type === 'append' && m.to === 'b').map((m) => m.entries?.length)).toEqual([3, 3]);
    group.deliver(sent);
    group.stabilize();
    expect(group.appliedText('c')).toHaveLength(9);
  });
});

describe('§5.4 safety', () => {
  it('§5.4.1 a voter denies its vote to a candidate whose log is less up to date', () => {
    const cases: [number, number, boolean][] = [
      [3, 2, false],
      [4, 2, false],
      [2, 2, true],
      [1, 3, false],
      [5, 1, true],
    ];
    for (const [lastIndex, lastTerm, reject] of cases) {
      const r = member('a', [entry(1, 1), entry(2, 2), entry(3, 2)], 2);
      r.step({ type: 'vote', from: 'b', to: 'a', term: 3, index: lastIndex, logTerm: lastTerm });
      expect(drain(r)[0]).toMatchObject({ type: 'voteResp', reject });
    }
  });

  it('§5.4.2 a leader never commits an entry of an older term by counting replicas (Figure 8)', () => {
    // The leader of term 3 holds an entry of term 2 at index 2; all members have it, but it is
    // committed only with an entry of term 3.
    const storage = { hardState: { term: 2, vote: null, commit: 1 }, snapshot: undefined, entries: [entry(1, 1), entry(2, 2)] };
    const r = new Raft({ id: 'a', peers: ids, storage, random: () => 0, preVote: false });
    r.becomeCandidate();
    r.becomeLeader();
    r.advance(r.ready());
    r.step({ type: 'appendResp', from: 'b', to: 'a', term: 3, index: 2 });
    expect(r.log.committed).toBe(1);
    r.step({ type: 'appendResp', from: 'b', to: 'a', term: 3, index: 3 });
    expect(r.log.committed).toBe(3);
  });

  it('the planted commitOldTermByCount bug does commit it (so the simulation has something to find)', () => {
    const storage = { hardState: { term: 2, vote: null, commit: 1 }, snapshot: undefined, entries: [entry(1, 1), entry(2, 2)] };
    const r = new Raft({ id: 'a', peers: ids, storage, random: () => 0, preVote: false, faults: { commitOldTermByCount: true } });
    r.becomeCandidate();
    r.becomeLeader();
    r.advance(r.ready());
    r.step({ type: 'appendResp', from: 'b', to: 'a', term: 3, index: 2 });
    expect(r.log.committed).toBe(2);
  });

  it('a new leader has every committed entry, and a crashed member restarts with its term, vote and log', () => {
    const group = new MemoryCluster(ids);
    group.elect('a').propose(text('x'));
    group.stabilize();
    group.restart('a', ids);
    expect(group.node('a').hardState()).toMatchObject({ term: 1, vote: 'a' });
    group.isolate('a');
    for (let i = 0; i < 30 && group.leader()?.id !== 'b' && group.leader()?.id !== 'c'; i++) {
      group.tickAll();
      group.stabilize();
    }
    const next = group.leader()!;
    expect(['b', 'c']).toContain(next.id);
    expect(next.term).toBe(2);
    next.propose(text('y'));
    group.heal();
    group.tickAll();
    group.stabilize();
    for (const id of ids) expect(group.appliedText(id).slice(-2)).toEqual(['x', 'y']);
  });
});
