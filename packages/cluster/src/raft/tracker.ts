/**
 * Who is in the group (voters and learners, one configuration at a time) and, on a leader, the
 * Progress of each member; during an election, the votes so far. Changing the configuration is
 * membership.ts's job; the majority arithmetic is quorum.ts's.
 */
import { Progress } from './progress.js';
import { committedIndex, majority, voteResult, type VoteResult } from './quorum.js';
import type { ConfState, NodeId } from './types.js';

export class Tracker {
  voters: NodeId[];
  learners: NodeId[];
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();

  constructor(
    conf: ConfState,
    private readonly maxInflight: number,
  ) {
    this.voters = [...conf.voters];
    this.learners = [...conf.learners];
  }

  get conf(): ConfState {
    return { voters: [...this.voters], learners: [...this.learners] };
  }

  setConf(conf: ConfState): void {
    this.voters = [...conf.voters];
    this.learners = [...conf.learners];
  }

  isVoter(id: NodeId): boolean {
    return this.voters.includes(id);
  }

  isMember(id: NodeId): boolean {
    return this.voters.includes(id) || this.learners.includes(id);
  }

  members(): NodeId[] {
    return [...this.voters, ...this.learners];
  }

  /** A new leader's view: every member starts probing just past the leader's last entry. */
  resetProgress(lastIndex: number): void {
    this.progress.clear();
    for (const id of this.members()) this.addProgress(id, lastIndex);
  }

  addProgress(id: NodeId, lastIndex: number): Progress {
    const progress = new Progress(lastIndex + 1, this.learners.includes(id), this.maxInflight);
    this.progress.set(id, progress);
    return progress;
  }

  committed(): number {
    return committedIndex(this.voters, (id) => this.progress.get(id)?.match ?? 0);
  }

  voteResult(): VoteResult {
    return voteResult(this.voters, this.votes);
  }

  /** Check-quorum: a majority of voters (the leader included) were heard from this round. */
  quorumActive(self: NodeId): boolean {
    let active = 0;
    for (const id of this.voters) if (id === self || this.progress.get(id)?.recentActive) active++;
    return active >= majority(this.voters.length);
  }

  resetRecentActive(): void {
    for (const progress of this.progress.values()) progress.recentActive = false;
  }

  hasQuorum(acks: ReadonlySet<NodeId>): boolean {
    let count = 0;
    for (const id of this.voters) if (acks.has(id)) count++;
    return count >= majority(this.voters.length);
  }
}
