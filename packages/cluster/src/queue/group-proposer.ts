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

/** How often the tries in flight are checked: past their time, or another member leads now. */
const WATCH_MS = 100;

class AttemptTimeout extends Error {}

/** One try in flight: given up at `until`, or as soon as this node's member follows another leader than `target`. */
interface Attempt {
  readonly until: number;
  readonly target: string;
  readonly giveUp: (error: AttemptTimeout) => void;
}

export class GroupProposer<C> {
  /** The member last named as leader by a refusal. */
  #hint: string | null = null;
  #next = 0;
  /** Tries in flight, all checked by one timer rather than two timers per command. */
  readonly #attempts = new Set<Attempt>();
  #watch: NodeJS.Timeout | undefined;

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
        return await this.#within(attempt, Math.min(ATTEMPT_MS, Math.max(1, deadline - Date.now())), target);
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

  /**
   * The try, given up after `ms` or, since a leader cut off or frozen does not answer, as soon as
   * this node's member follows a newer leader than `target` (not after the whole ATTEMPT_MS).
   */
  #within<T>(promise: Promise<T>, ms: number, target: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt: Attempt = { until: Date.now() + ms, target, giveUp: reject };
      this.#attempts.add(attempt);
      this.#watch ??= setInterval(() => this.#check(), WATCH_MS);
      promise.then(
        (value) => {
          this.#attempts.delete(attempt);
          resolve(value);
        },
        (error: unknown) => {
          this.#attempts.delete(attempt);
          reject(error as Error);
        },
      );
    });
  }

  #check(): void {
    const now = Date.now();
    const leader = this.options.local()?.leader ?? null;
    for (const attempt of this.#attempts) {
      const moved = leader !== null && leader !== attempt.target;
      if (!moved && now < attempt.until) continue;
      this.#attempts.delete(attempt);
      attempt.giveUp(new AttemptTimeout(moved ? 'another member leads now' : 'no answer in time'));
    }
    if (this.#attempts.size === 0) {
      clearInterval(this.#watch);
      this.#watch = undefined;
    }
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
