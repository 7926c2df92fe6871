/**
 * What each role does with a message once step() has settled terms and votes (Raft Figure 2,
 * "Rules for Servers"): a leader takes answers and forwarded reads; a candidate counts votes or
 * yields to a leader of its term; a follower takes appends, heartbeats, snapshots, TimeoutNow
 * and read answers from its leader.
 */
import { campaign, handleVoteResponse } from './election.js';
import type { Raft } from './raft.js';
import { handleAppend, handleAppendResponse, handleHeartbeat, handleHeartbeatResponse, handleSnapshot, leaderRead } from './replication.js';
import { followerQuiesce } from './quiesce.js';
import type { Message } from './types.js';

export function stepLeader(r: Raft, m: Message): void {
  const progress = r.tracker.progress.get(m.from);
  if (progress !== undefined) progress.recentActive = true;
  switch (m.type) {
    case 'appendResp':
      handleAppendResponse(r, m);
      return;
    case 'heartbeatResp':
      handleHeartbeatResponse(r, m);
      return;
    case 'readIndex':
      leaderRead(r, m.from, m.context ?? '');
      return;
    default:
  }
}

export function stepCandidate(r: Raft, m: Message): void {
  switch (m.type) {
    case 'append':
      r.becomeFollower(m.term, m.from);
      handleAppend(r, m);
      return;
    case 'heartbeat':
      r.becomeFollower(m.term, m.from);
      if (m.quiesce === true) followerQuiesce(r, m);
      else handleHeartbeat(r, m);
      return;
    case 'snapshot':
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return;
    case 'preVoteResp':
    case 'voteResp':
      handleVoteResponse(r, m);
      return;
    default:
  }
}

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case 'append':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppend(r, m);
      return;
    case 'heartbeat':
      r.electionElapsed = 0;
      r.lead = m.from;
      if (m.quiesce === true) followerQuiesce(r, m);
      else handleHeartbeat(r, m);
      return;
    case 'snapshot':
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return;
    case 'timeoutNow':
      if (r.promotable()) campaign(r, 'transfer');
      return;
    case 'readIndexResp':
      r.readStates.push({ index: m.index ?? 0, context: m.context ?? '' });
      return;
    default:
  }
}
