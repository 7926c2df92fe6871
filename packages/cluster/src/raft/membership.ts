/**
 * Membership changes one server at a time (Raft thesis §4.1): any two majorities of configurations
 * that differ by one voter overlap, so no joint consensus is needed. A configuration takes effect
 * when its entry is applied (etcd's rule), and a leader proposes the next change only after the
 * previous one is applied. A new member first joins as a learner, which receives the log but
 * neither votes nor counts for commit, and is promoted once it has caught up (§4.2.1).
 */
import type { Raft } from './raft.js';
import type { ConfChange, ConfState, Entry, NodeId } from './types.js';
import type { RaftLog } from './log.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeConfChange(change: ConfChange): Uint8Array {
  return encoder.encode(JSON.stringify(change));
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  return JSON.parse(decoder.decode(data)) as ConfChange;
}

export function changeConf(conf: ConfState, change: ConfChange): ConfState {
  if (change.type === 'bootstrap') return { voters: [...change.voters], learners: [] };
  const voters = conf.voters.filter((id) => id !== change.node);
  const learners = conf.learners.filter((id) => id !== change.node);
  if (change.type === 'addLearner') learners.push(change.node);
  if (change.type === 'promote') voters.push(change.node);
  return { voters, learners };
}

/**
 * A brand-new group's log: entry 1 (term 0, committed) names the first voters, identically on
 * each of them (as etcd bootstraps), so a member added later learns the whole configuration.
 */
export function bootstrapEntries(voters: readonly NodeId[]): Entry[] {
  return [{ index: 1, term: 0, type: 'conf', data: encodeConfChange({ type: 'bootstrap', voters }) }];
}

/** The configuration at start: the snapshot's, then each committed configuration entry after it. */
export function confStateAt(base: ConfState, log: RaftLog, from: number): { conf: ConfState; index: number } {
  let conf = base;
  let index = from;
  for (const entry of log.slice(from + 1, log.committed)) {
    if (entry.type !== 'conf') continue;
    conf = changeConf(conf, decodeConfChange(entry.data));
    index = entry.index;
  }
  return { conf, index };
}

/** Whether a leader may propose this change now. */
export function validateConfChange(r: Raft, change: ConfChange): boolean {
  if (r.pendingConfIndex > r.log.applied) return false;
  const tracker = r.tracker;
  switch (change.type) {
    case 'addLearner':
      return !tracker.isMember(change.node);
    case 'promote': {
      // Promote only a learner that has caught up, so the new majority can commit at once.
      const progress = tracker.progress.get(change.node);
      return tracker.learners.includes(change.node) && progress !== undefined && progress.match >= r.log.committed;
    }
    case 'remove':
      return tracker.isMember(change.node) && !(tracker.voters.length === 1 && tracker.isVoter(change.node));
    case 'bootstrap':
      return false;
  }
}

export function applyConfChange(r: Raft, change: ConfChange): void {
  const tracker = r.tracker;
  tracker.setConf(changeConf(tracker.conf, change));
  if (r.role !== 'leader' || change.type === 'bootstrap') return;
  if (change.type === 'remove') {
    tracker.progress.delete(change.node);
    if (r.leadTransferee === change.node) r.leadTransferee = null;
    if (change.node === r.id) {
      r.becomeFollower(r.term, null);
      return;
    }
  } else {
    const previous = tracker.progress.get(change.node);
    const progress = tracker.addProgress(change.node, r.log.lastIndex);
    if (previous !== undefined) {
      progress.match = previous.match;
      progress.next = previous.next;
    }
  }
  r.maybeCommit();
  r.needBroadcast = true;
}
