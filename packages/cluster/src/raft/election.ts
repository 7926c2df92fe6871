/**
 * Leader election (Raft §5.2, §5.4.1) with pre-vote (thesis §9.6): a member whose election timer
 * fires first asks whether it could win, at term + 1 but without moving to it, so a member cut
 * off by a partition cannot raise the group's term and depose a healthy leader when it returns.
 * A forced campaign ('transfer') skips pre-vote and the voters' leader lease.
 */
import type { Raft } from './raft.js';
import type { Message } from './types.js';

export type CampaignKind = 'preVote' | 'vote' | 'transfer';

export function campaign(r: Raft, kind: CampaignKind): void {
  if (!r.promotable()) return;
  let term: number;
  if (kind === 'preVote') {
    r.becomePreCandidate();
    term = r.term + 1;
  } else {
    r.becomeCandidate();
    term = r.term;
  }
  r.tracker.votes.set(r.id, true);
  if (poll(r)) return;
  for (const voter of r.tracker.voters) {
    if (voter === r.id) continue;
    r.send({
      type: kind === 'preVote' ? 'preVote' : 'vote',
      to: voter,
      term,
      index: r.log.lastIndex,
      logTerm: r.log.lastTerm,
      ...(kind === 'transfer' ? { context: 'transfer' } : {}),
    });
  }
}

/** Counts the votes; true once the election is decided. */
function poll(r: Raft): boolean {
  switch (r.tracker.voteResult()) {
    case 'won':
      if (r.role === 'preCandidate') campaign(r, 'vote');
      else r.becomeLeader();
      return true;
    case 'lost':
      r.becomeFollower(r.term, null);
      return true;
    case 'pending':
      return false;
  }
}

/** Raft Figure 2, RequestVote receiver: at most one vote per term, only for an up-to-date log. */
export function handleVoteRequest(r: Raft, m: Message): void {
  const response = m.type === 'preVote' ? 'preVoteResp' : 'voteResp';
  const canVote = r.vote === m.from || (r.vote === null && r.lead === null) || (m.type === 'preVote' && m.term > r.term);
  if (canVote && r.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
    // A pre-vote grant answers at the asked term, so the asker counts it (etcd's rule).
    r.send({ type: response, to: m.from, term: m.term, reject: false });
    if (m.type === 'vote') {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
  } else {
    r.send({ type: response, to: m.from, reject: true });
  }
}

export function handleVoteResponse(r: Raft, m: Message): void {
  const expected = r.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
  if (m.type !== expected) return;
  r.tracker.votes.set(m.from, m.reject !== true);
  poll(r);
}
