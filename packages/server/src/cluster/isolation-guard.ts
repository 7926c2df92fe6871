/**
 * RabbitMQ's pause_minority for client connections (docs/cluster.md, "A node cut off from the
 * majority"): a node that has heard from no majority of the metadata group's voters, or from no
 * metadata leader, for longer than the grace period is isolated. Its clients could only wait
 * there for `cluster_unavailable`, so the listener closes them with `node_isolated` (they fail
 * over to another URL) and refuses new ones, and /readyz says not ready, until contact returns.
 *
 * Contact is hearing a peer: its report of itself arrives once a second over the cluster port
 * (cluster-node.ts). An open TCP connection proves nothing: a cut network drops packets and
 * leaves the connection open.
 */
import type { ServerLogger } from '../log.js';
import type { ReadinessCheck } from '../health/readiness.js';

/** What the guard reads of the cluster node at each look. */
export interface ContactView {
  readonly self: string;
  readonly voters: readonly string[];
  /** The metadata group's leader as this node knows it, null when none. */
  readonly leader: string | null;
  /** When each peer's last report arrived (ms since the epoch). */
  readonly heardAt: ReadonlyMap<string, number>;
}

/** A report is sent every second: missing two and a half in a row means the peer is not heard. */
export const HEARD_WITHIN_MS = 2_500;
const LOOK_EVERY_MS = 250;

/** Why the node is out of contact, or undefined when it is in contact with a majority and a leader. */
export function outOfContact(view: ContactView, now: number): string | undefined {
  const heard = (id: string) => id === view.self || now - (view.heardAt.get(id) ?? -Infinity) <= HEARD_WITHIN_MS;
  const { voters } = view;
  if (voters.length === 0) return 'this node is not a voter of the metadata group yet';
  const reached = voters.filter(heard).length;
  const majority = Math.floor(voters.length / 2) + 1;
  if (reached < majority) return `hears from ${reached} of ${voters.length} voters, a majority is ${majority}`;
  if (view.leader === null) return 'no metadata leader is known';
  if (!heard(view.leader)) return `the metadata leader ${view.leader} is not heard from`;
  return undefined;
}

export interface IsolationGuardOptions {
  readonly view: () => ContactView;
  /** How long out of contact before the node counts as isolated; 0 never isolates. */
  readonly graceMs: number;
  readonly logger: ServerLogger;
  /** Called once when the node becomes isolated (the listener closes its connections). */
  readonly onIsolated: (error: string) => void;
  readonly now?: () => number;
}

export class IsolationGuard {
  #isolated = false;
  /** Since when the node has been out of contact; undefined while in contact. */
  #outSince: number | undefined;
  #reason: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;

  constructor(private readonly options: IsolationGuardOptions) {
    this.#now = options.now ?? Date.now;
    // A node just started has heard nobody yet: the grace counts from now.
    this.#outSince = this.#now();
  }

  get isolated(): boolean {
    return this.#isolated;
  }

  /** Why the node is isolated (undefined when it is not). */
  get reason(): string | undefined {
    return this.#isolated ? this.#reason : undefined;
  }

  start(): void {
    if (this.options.graceMs === 0) return;
    this.#timer = setInterval(() => this.look(), LOOK_EVERY_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Reads the cluster's state once and moves between in contact and isolated. */
  look(): void {
    if (this.options.graceMs === 0) return;
    const now = this.#now();
    const why = outOfContact(this.options.view(), now);
    const { logger } = this.options;
    if (why === undefined) {
      this.#outSince = undefined;
      if (this.#isolated) {
        this.#isolated = false;
        logger.warn({ event: 'node_rejoined' }, 'node in contact with the cluster majority again: accepting client connections');
      }
      return;
    }
    this.#reason = why;
    this.#outSince ??= now;
    if (this.#isolated || now - this.#outSince < this.options.graceMs) return;
    this.#isolated = true;
    logger.warn({ event: 'node_isolated', reason: why, out_of_contact_ms: now - this.#outSince }, 'node cut off from the cluster majority: closing client connections and refusing new ones');
    this.options.onIsolated(why);
  }

  /** /readyz: an isolated node is taken out of load balancers. */
  readiness(): ReadinessCheck {
    return { name: 'isolation', problem: () => (this.#isolated ? `cut off from the cluster majority: ${this.#reason}` : undefined) };
  }
}
