/**
 * Quiescence (CockroachDB's quiesced ranges, etcd's idea of a group that needs no ticks): a group
 * with nothing to do stops heartbeating. Thousands of idle groups between the same nodes then
 * cost nothing per group; what proves the leader alive is the node's own heartbeat on the pair's
 * connection (node/peer-liveness.ts), one per pair of nodes, whatever the number of groups.
 *
 * A leader quiesces when everything is committed, applied and on disk, every member it can reach
 * (and every learner, in reach or not) holds its whole log, and a majority answered since the last check-quorum round: it sends each
 * reachable member a last heartbeat marked `quiesce` (its last index, term and commit) and stops
 * ticking. A follower that holds that whole log stops ticking too (no election timer), and sends
 * no answer; one that does not answers as to any heartbeat, which wakes the leader.
 *
 * Anything else wakes a quiesced member: any message of the group (a pre-vote from a member
 * that missed the quiesce wakes the leader, which then heartbeats it), a proposal, a read, a
 * transfer. The shell also reports peers going out of and back into reach (`peerLiveness`):
 * a quiesced follower whose leader's node is gone wakes with its leader lease over, so it
 * campaigns within one election timeout (and grants pre-votes at once); a quiesced leader wakes
 * when one of its members goes or comes back, so check-quorum runs (a leader cut off steps down)
 * and a returning member is caught up. Safety never depends on timers, only liveness does.
 */
import type { Raft } from './raft.js';
import type { Message, NodeId } from './types.js';
import { majority } from './quorum.js';

/** True when the leader may quiesce now (see above). */
export function canQuiesce(r: Raft, live: (id: NodeId) => boolean): boolean {
  const log = r.log;
  const last = log.lastIndex;
  if (r.role !== 'leader' || r.leadTransferee !== null || r.pendingReads.length > 0 || r.readOnly.lastContext() !== undefined) return false;
  if (log.committed !== last || log.applied !== last || log.stable !== last || log.unstable <= last || r.needBroadcast) return false;
  let answered = 0;
  for (const [id, progress] of r.tracker.progress) {
    if (id === r.id) {
      if (r.tracker.isVoter(id)) answered++;
      continue;
    }
    // A learner is being added: it must catch up before it can be promoted, and a learner that
    // was not in reach when it was added would never wake a quiesced leader (it never campaigns).
    if (!live(id) && !r.tracker.learners.includes(id)) continue;
    // A member in reach that lacks entries is still being replicated to.
    if (progress.match !== last) return false;
    if (progress.recentActive && r.tracker.isVoter(id)) answered++;
  }
  return answered >= majority(r.tracker.voters.length);
}

/** The leader's last heartbeat to the members in reach, then silence. */
export function quiesceLeader(r: Raft, live: (id: NodeId) => boolean): void {
  for (const id of r.tracker.progress.keys()) if (id !== r.id && live(id)) sendQuiesce(r, id);
  r.quiesced = true;
}

function sendQuiesce(r: Raft, to: NodeId): void {
  r.send({ type: 'heartbeat', to, commit: r.log.committed, index: r.log.lastIndex, logTerm: r.log.lastTerm, quiesce: true });
}

/**
 * A follower's answer to a quiesce heartbeat from its leader: quiesce if it holds the leader's
 * whole log; else answer (committing nothing: its log may differ), which wakes the leader.
 */
export function followerQuiesce(r: Raft, m: Message): void {
  const index = m.index ?? 0;
  if (!r.log.matchTerm(index, m.logTerm ?? 0)) {
    r.send({ type: 'heartbeatResp', to: m.from });
    return;
  }
  r.log.commitTo(Math.min(m.commit ?? 0, index));
  r.quiesced = true;
}

/**
 * An answer to a heartbeat or append sent before the leader quiesced, telling it nothing new, or
 * to a campaign given up: it must not wake the member, or a slow link would keep it from ever
 * staying quiet.
 */
export function isLateAnswer(r: Raft, m: Message): boolean {
  // A quiesced member campaigns for nothing: a vote answer is left over from before.
  if (m.type === 'preVoteResp' || m.type === 'voteResp') return true;
  if (r.role !== 'leader' || m.term !== r.term) return false;
  const match = r.tracker.progress.get(m.from)?.match ?? 0;
  // A member not known to hold the whole log that answers a quiesce heartbeat needs catching up.
  if (m.type === 'heartbeatResp') return m.context === undefined && match === r.log.lastIndex;
  return m.type === 'appendResp' && m.reject !== true && (m.index ?? 0) <= match;
}

function majorityInReach(r: Raft, inReach: (id: NodeId) => boolean): boolean {
  let count = 0;
  for (const id of r.tracker.voters) if (id === r.id || inReach(id)) count++;
  return count >= majority(r.tracker.voters.length);
}

/**
 * A pre-vote reaching a quiesced member (from one that restarted, or missed the quiesce): the
 * leader answers with the quiesce heartbeat instead of waking (the asker learns its leader and
 * quiesces, or its answer, lacking entries, wakes the leader). A follower wakes, its lease kept
 * (it refuses), and when its election timer fires it first asks only its leader, if in reach
 * (`askLeader`): a quiesced leader's answer quiets it again, where a full campaign would wake the
 * next follower, and so on. A follower asked by its own leader wakes, lease over: that leader
 * lost its place. A restarted node's thousands of groups so settle without waking every group.
 */
export function answerPreVote(r: Raft, m: Message): boolean {
  if (m.type !== 'preVote' || m.term <= r.term) return false;
  if (r.role === 'leader') {
    if (!r.tracker.isMember(m.from)) return false;
    sendQuiesce(r, m.from);
    return true;
  }
  if (m.from === r.lead) {
    wake(r);
    r.electionElapsed = r.electionTick;
    return false;
  }
  wake(r);
  r.askLeader = true;
  return false;
}

/** Back to ticking. A leader must hear from a majority again before it quiesces (check-quorum anew). */
export function wake(r: Raft): void {
  if (!r.quiesced) return;
  r.quiesced = false;
  r.electionElapsed = 0;
  if (r.role === 'leader') {
    r.tracker.resetRecentActive();
    r.heartbeatElapsed = r.heartbeatTick;
  }
}

/**
 * The shell's news that a peer's node went out of reach or came back. A quiesced leader stays
 * quiet when it can: a member coming back gets the quiesce heartbeat alone (it quiesces if it
 * holds the whole log, else its answer wakes the leader), and one going away wakes the leader
 * only when those left in reach are no majority (check-quorum must run). So one node's restart
 * wakes only the groups it led, not every group it is a member of.
 */
export function peerLiveness(r: Raft, peer: NodeId, live: boolean, inReach: (id: NodeId) => boolean): void {
  if (!r.quiesced) return;
  if (r.role === 'leader') {
    if (!r.tracker.isMember(peer)) return;
    if (live) sendQuiesce(r, peer);
    else if (!majorityInReach(r, inReach)) wake(r);
  } else if (r.lead === peer && !live) {
    wake(r);
    // The leader's node is gone: its lease is over, and an election timeout already passed unheard.
    r.electionElapsed = r.electionTick;
  }
}
