/**
 * Gets a command into a Raft group's log from any node, member or not: proposed here when this
 * node leads the group, else handed over the cluster port to the member it believes leads
 * (forwarded proposals). A refusal names the leader its member knows of, which is tried at once;
 * silence, a lost connection or a member that knows no leader moves on to the next member after a
 * short pause. A command may so be proposed more than once: every replicated queue command is
 * safe to repeat (a publish is enqueued once per log id, a settle of what is no longer held is
 * `stale`, subscribe, cancel and down are idempotent). Gives up at the deadline with
 * ClusterUnavailableError: the caller answers `cluster_unavailable` instead of waiting forever.
 */
import { NotLeaderError } from '../raft-node.js';
import { ForwardError, type ClusterTransport } from '../node/cluster-transport.js';
import { ClusterUnavailableError } from '../node/metadata-group.js';

/** What proposes on this node when it is a member of the group. */
export interface LocalMember<C> {
  readonly leader: string | null;
  propose(command: C): Promise<number>;
}

export interface GroupProposerOptions<C> {
  readonly node: string;
  readonly group: string;
  readonly members: readonly string[];
  /** The member meant to lead: tried first while nothing better is known. */
  readonly preferred: string;
  /** The node's cluster port (it throws while the node has not joined its cluster). */
  readonly transport: () => ClusterTransport;
  readonly encode: (command: C) => Uint8Array;
  /** This node's member of the group, once it runs. */
  readonly local: () => LocalMember<C> | undefined;
}

/** One try: long enough for a loaded group to commit, short enough to move on from a dead leader. */
const ATTEMPT_MS = 3_000;
/** Pause before the next try when no leader is named. */
const PAUSE_MS = 50;
/** Leaders named in a row followed at once, before a pause. */
const MAX_HOPS = 3;

/** How often a try checks whether this node's member has learned of another leader meanwhile. */
const WATCH_MS = 100;

class AttemptTimeout extends Error {}

/** The try, given up after `ms`, or as soon as `moved()` says another member leads now. */
function within<T>(promise: Promise<T>, ms: number, moved: () => boolean): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let watch: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeout('no answer in time')), ms);
    watch = setInterval(() => {
      if (moved()) reject(new AttemptTimeout('another member leads now'));
    }, WATCH_MS);
  });
  return Promise.race([promise, late]).finally(() => {
    clearTimeout(timer);
    clearInterval(watch);
  });
}

export class GroupProposer<C> {
  /** The member last named as leader by a refusal. */
  #hint: string | null = null;
  #next = 0;

  constructor(private readonly options: GroupProposerOptions<C>) {}

  /** Resolves with the command's log index once the leader applied it (a majority has it on disk). */
  async propose(command: C, deadlineMs: number): Promise<number> {
    const { node, group, members } = this.options;
    const deadline = Date.now() + deadlineMs;
    let lastError: Error | undefined;
    let hops = 0;
    while (Date.now() < deadline) {
      const local = this.options.local();
      const target = this.#target(local);
      try {
        const attempt =
          target !== node
            ? this.options.transport().forward(target, group, this.options.encode(command))
            : local !== undefined
              ? local.propose(command)
              : Promise.reject(new ForwardError(`this node's member of group ${group} is not running yet`, null));
        // A leader cut off or frozen does not answer: once this node's member follows a newer
        // leader, the try moves on to it at once rather than after the whole ATTEMPT_MS.
        const moved = (): boolean => {
          const leader = this.options.local()?.leader ?? null;
          return leader !== null && leader !== target;
        };
        return await within(attempt, Math.min(ATTEMPT_MS, Math.max(1, deadline - Date.now())), moved);
      } catch (error) {
        if (!(error instanceof NotLeaderError || error instanceof ForwardError || error instanceof AttemptTimeout)) throw error;
        lastError = error;
        const named = error instanceof AttemptTimeout ? null : error.leader;
        // Hints may be stale and point at each other: after a few hops, pause and ask around.
        hops = named === null ? 0 : hops + 1;
        this.#hint = named !== null && named !== target && members.includes(named) && hops <= MAX_HOPS ? named : null;
        if (this.#hint === null) {
          hops = 0;
          this.#next++;
          await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
        }
      }
    }
    throw new ClusterUnavailableError(
      `no leader of replicated queue group ${group} took the command in time${lastError === undefined ? '' : ` (${lastError.message})`}; is a majority of its members up?`,
    );
  }

  /** Who to ask: this node's member's leader, else the last hint, else the members in turn (the preferred one first). */
  #target(local: LocalMember<C> | undefined): string {
    const { node, members, preferred } = this.options;
    const leader = local?.leader ?? null;
    if (leader !== null && (leader !== node || local !== undefined)) return leader;
    if (this.#hint !== null) return this.#hint;
    const order = [preferred, ...members.filter((m) => m !== preferred)].filter((m) => m !== node || local !== undefined);
    return order[this.#next % order.length] ?? preferred;
  }
}
