/**
 * Log replication (Raft §5.3), both sides. The leader sends appends as the follower's Progress
 * allows: one at a time while probing for the match point, pipelined up to the inflight window
 * once it is found, a snapshot when the entries it needs are compacted away (§7). Batching: an
 * append carries up to maxEntriesPerAppend entries. Followers answer from the log they will have
 * once the Ready holding those entries is persisted; the shell sends nothing before that.
 */
import type { Raft } from './raft.js';
import type { Message, NodeId } from './types.js';

/** Sends the next append (or snapshot) the follower's Progress allows; false when it allows none. */
export function sendAppend(r: Raft, to: NodeId, sendIfEmpty = true): boolean {
  const progress = r.tracker.progress.get(to);
  if (progress === undefined || to === r.id || progress.isPaused()) return false;
  const prevIndex = progress.next - 1;
  const prevTerm = r.log.term(prevIndex);
  if (prevTerm === undefined) return sendSnapshot(r, to);
  const last = Math.min(r.log.lastIndex, prevIndex + r.maxEntriesPerAppend);
  const entries = r.log.slice(progress.next, last);
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send({ type: 'append', to, index: prevIndex, logTerm: prevTerm, entries, commit: r.log.committed });
  progress.sentAppend(prevIndex + entries.length, entries.length);
  return true;
}

function sendSnapshot(r: Raft, to: NodeId): boolean {
  const snapshot = r.log.snapshot;
  const progress = r.tracker.progress.get(to);
  if (snapshot === undefined || progress === undefined) return false;
  r.send({ type: 'snapshot', to, snapshot });
  progress.becomeSnapshot(snapshot.index);
  return true;
}

/** Sends what the window allows: one append, then more while the follower is pipelined. */
export function sendAppends(r: Raft, to: NodeId, sendIfEmpty = true): void {
  const progress = r.tracker.progress.get(to);
  if (!sendAppend(r, to, sendIfEmpty)) return;
  while (progress?.state === 'replicate' && sendAppend(r, to, false));
}

export function bcastAppend(r: Raft, sendIfEmpty = true): void {
  for (const id of r.tracker.progress.keys()) if (id !== r.id) sendAppends(r, id, sendIfEmpty);
}

export function bcastHeartbeat(r: Raft, context: string | undefined): void {
  for (const [id, progress] of r.tracker.progress) {
    if (id === r.id) continue;
    // Never a commit index past what the follower is known to hold (etcd's rule).
    const commit = Math.min(progress.match, r.log.committed);
    r.send({ type: 'heartbeat', to: id, commit, ...(context === undefined ? {} : { context }) });
  }
}

export function sendTimeoutNow(r: Raft, to: NodeId): void {
  r.send({ type: 'timeoutNow', to });
}

/** A follower that makes no progress for half an election timeout is probed again (lost appends). */
export function stallCheck(r: Raft): void {
  const limit = Math.max(2, Math.floor(r.electionTick / 2));
  for (const [id, progress] of r.tracker.progress) {
    if (id === r.id || progress.state === 'probe' || progress.match >= r.log.lastIndex) continue;
    if (++progress.stalledTicks >= limit) {
      progress.becomeProbe();
      sendAppend(r, id);
    }
  }
}

export function handleAppendResponse(r: Raft, m: Message): void {
  const progress = r.tracker.progress.get(m.from);
  if (progress === undefined) return;
  if (m.reject === true) {
    let hint = m.hint ?? 0;
    if ((m.logTerm ?? 0) > 0) hint = r.log.findConflictByTerm(hint, m.logTerm ?? 0);
    if (progress.maybeDecrease(m.index ?? 0, hint)) {
      if (progress.state === 'replicate') progress.becomeProbe();
      sendAppend(r, m.from);
    }
    return;
  }
  const wasPaused = progress.isPaused();
  if (!progress.maybeUpdate(m.index ?? 0)) {
    if (wasPaused && !progress.isPaused()) sendAppend(r, m.from, false);
    return;
  }
  if (progress.state === 'probe') progress.becomeReplicate();
  else if (progress.state === 'snapshot' && progress.match >= progress.pendingSnapshot) progress.becomeReplicate();
  if (r.maybeCommit()) bcastAppend(r);
  else if (wasPaused) sendAppend(r, m.from);
  while (progress.state === 'replicate' && sendAppend(r, m.from, false));
  if (m.from === r.leadTransferee && progress.match === r.log.lastIndex) sendTimeoutNow(r, m.from);
}

export function handleHeartbeatResponse(r: Raft, m: Message): void {
  const progress = r.tracker.progress.get(m.from);
  if (progress === undefined) return;
  progress.probeSent = false;
  if (progress.match < r.log.lastIndex) sendAppend(r, m.from);
  if (m.context === undefined) return;
  const request = r.readOnly.ack(m.context, m.from);
  if (request === undefined || !r.tracker.hasQuorum(request.acks)) return;
  for (const read of r.readOnly.release(m.context)) answerRead(r, read.from, read.context, read.index);
}

/** Read-index on the leader: serve at the commit index once a heartbeat round confirms leadership. */
export function leaderRead(r: Raft, from: NodeId, context: string): void {
  if (r.log.term(r.log.committed) !== r.term) {
    r.pendingReads.push({ from, context });
    return;
  }
  const request = r.readOnly.add(context, r.log.committed, from);
  request.acks.add(r.id);
  if (r.tracker.hasQuorum(request.acks)) {
    for (const read of r.readOnly.release(context)) answerRead(r, read.from, read.context, read.index);
    return;
  }
  bcastHeartbeat(r, context);
}

function answerRead(r: Raft, from: NodeId, context: string, index: number): void {
  if (from === r.id) r.readStates.push({ index, context });
  else r.send({ type: 'readIndexResp', to: from, index, context });
}

/** Raft Figure 2, AppendEntries receiver. */
export function handleAppend(r: Raft, m: Message): void {
  const prevIndex = m.index ?? 0;
  if (prevIndex < r.log.committed) {
    r.send({ type: 'appendResp', to: m.from, index: r.log.committed });
    return;
  }
  const lastNew = r.log.maybeAppend(prevIndex, m.logTerm ?? 0, m.commit ?? 0, m.entries ?? []);
  if (lastNew !== undefined) {
    r.send({ type: 'appendResp', to: m.from, index: lastNew });
    return;
  }
  const hint = r.log.findConflictByTerm(Math.min(prevIndex, r.log.lastIndex), m.logTerm ?? 0);
  r.send({ type: 'appendResp', to: m.from, index: prevIndex, reject: true, hint, logTerm: r.log.term(hint) ?? 0 });
}

export function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit ?? 0);
  r.send({ type: 'heartbeatResp', to: m.from, ...(m.context === undefined ? {} : { context: m.context }) });
}

/** InstallSnapshot (Raft §7): fast-forward when the log already holds it, else replace the log. */
export function handleSnapshot(r: Raft, m: Message): void {
  const snapshot = m.snapshot;
  if (snapshot === undefined) return;
  if (snapshot.index <= r.log.committed) {
    r.send({ type: 'appendResp', to: m.from, index: r.log.committed });
    return;
  }
  if (r.log.matchTerm(snapshot.index, snapshot.term)) {
    r.log.commitTo(snapshot.index);
  } else {
    r.log.restore(snapshot);
    r.tracker.setConf(snapshot.conf);
    r.confIndex = snapshot.index;
  }
  r.send({ type: 'appendResp', to: m.from, index: snapshot.index });
}
