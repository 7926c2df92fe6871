/**
 * Simulated clients of the replicated queue (core's queue machine through
 * ../queue/replicated-queue.ts). A publisher sends each message to the member it believes leads,
 * follows redirects, and retries until the confirm comes back (the machine deduplicates by id);
 * the publishes it makes at about the same time go as one `enqueues` command. A consumer subscribes, acks most deliveries, nacks some with and without
 * requeue, and may die; it settles what reached it at about the same time as one `settles`
 * command (a lone one as `settle`), as a broker's node gathers its consumers' acks of one turn; its death is reported by a member (as a broker notices a closed
 * connection), retried until applied. Requests and answers are delayed and may be lost.
 */
import type { NodeId } from '../raft/types.js';
import type { EventQueue } from './event-queue.js';
import type { Observer } from './observer.js';
import type { Prng } from './prng.js';
import type { QueueLogCommand as QueueCommand, QueueLogEffect as QueueEffect, SettleItem } from '../queue/queue-log.js';

/** How a client reaches the members: deliver a command, learn who leads. */
export interface ClientLink {
  /** Proposes `command` at `node`; answers with a leader hint when that member does not lead. */
  propose(node: NodeId, command: QueueCommand, answer: (redirect: NodeId | null | undefined) => void): void;
}

const RETRY_MS = 60;
/** Publishes (a consumer's settles of deliveries reaching it) within this long of the first go as one command. */
const GATHER_MS = 4;
const MAX_RETRY_MS = 1000;

/**
 * A command retried until `done()` says its effect was seen. A member that does not lead
 * appends nothing and answers with a hint, so the client follows it at once (as a broker's
 * client follows a redirect); after a few hops, or with no hint, it tries a member at random.
 * Only silence backs off, exponentially: the command may have been accepted, and every retry
 * of an accepted command is one more log entry, so a client that retries faster than the group
 * commits only makes the log grow (congestion collapse).
 */
class Retried {
  target: NodeId;
  #wait = RETRY_MS;
  #bounces = 0;
  /** Numbers each attempt, so the answer or timer of one that was overtaken is ignored. */
  #attempts = 0;

  constructor(
    private readonly clock: EventQueue,
    private readonly link: ClientLink,
    private readonly members: readonly NodeId[],
    private readonly dice: Prng,
    readonly command: QueueCommand,
    private readonly done: () => boolean,
  ) {
    this.target = dice.pick(members);
    this.#attempt();
  }

  #attempt(): void {
    if (this.done()) return;
    const attempt = ++this.#attempts;
    this.link.propose(this.target, this.command, (redirect) => {
      if (attempt !== this.#attempts || this.done()) return;
      if (redirect === undefined) {
        this.#bounces = 0;
        return;
      }
      // Members removed from the group still answer, with stale hints that can send a client
      // round in a circle: after a few hops it tries a member at random.
      const follow = redirect !== null && ++this.#bounces <= 3;
      if (!follow) this.#bounces = 0;
      this.target = follow ? redirect : this.dice.pick(this.members);
      // No hint (an election is likely under way) or too many hops: give it a moment.
      this.clock.after(follow ? 0 : RETRY_MS * this.dice.between(0.8, 1.2), () => {
        if (attempt === this.#attempts) this.#attempt();
      });
    });
    this.clock.after(this.#wait * this.dice.between(0.8, 1.2), () => {
      if (attempt !== this.#attempts || this.done()) return;
      // Silence, or accepted and not yet applied: the member may be down; maybe try another.
      this.#wait = Math.min(MAX_RETRY_MS, this.#wait * 2);
      if (this.dice.chance(0.5)) this.target = this.dice.pick(this.members);
      this.#attempt();
    });
  }
}

export class Clients {
  readonly #confirmed = new Set<string>();
  readonly #subscribed = new Set<string>();
  readonly #down = new Set<string>();
  readonly #dead = new Set<string>();
  readonly #draining = new Set<string>();
  /** Consumer -> message id -> settled. */
  readonly #settling = new Map<string, Set<string>>();
  /** Publishes gathered, not yet sent. */
  #publishing: string[] | undefined;
  /** Consumer -> its settles gathered, not yet sent. */
  readonly #gathered = new Map<string, SettleItem[]>();
  deliveries = 0;

  constructor(
    private readonly clock: EventQueue,
    private readonly link: ClientLink,
    private readonly members: readonly NodeId[],
    private readonly dice: Prng,
    private readonly observer: Observer,
  ) {}

  publish(id: string): void {
    this.observer.published.add(id);
    if (this.#publishing !== undefined) {
      this.#publishing.push(id);
      return;
    }
    const ids = (this.#publishing = [id]);
    this.clock.after(GATHER_MS, () => {
      this.#publishing = undefined;
      const now = this.clock.now;
      const body = new Uint8Array(0);
      const command: QueueCommand = ids.length === 1 ? { t: 'enqueue', id, client: 'p', now, body } : { t: 'enqueues', client: 'p', now, messages: ids.map((id) => ({ id, body })) };
      this.#retry(command, () => ids.every((id) => this.#confirmed.has(id)));
    });
  }

  /** A draining consumer acks everything; the others also nack. */
  consume(consumer: string, prefetch: number, drain = false): void {
    this.#settling.set(consumer, new Set());
    if (drain) this.#draining.add(consumer);
    this.#retry({ t: 'subscribe', consumer, prefetch, now: this.clock.now }, () => this.#subscribed.has(consumer) || this.#dead.has(consumer));
  }

  /** The consumer's connection dies: it stops acking, and a member reports it gone. */
  kill(consumer: string): void {
    if (!this.#settling.has(consumer) || this.#dead.has(consumer)) return;
    this.#dead.add(consumer);
    this.#retry({ t: 'down', consumer, now: this.clock.now }, () => this.#down.has(consumer));
  }

  living(): string[] {
    return [...this.#settling.keys()].filter((c) => !this.#dead.has(c));
  }

  unconfirmed(): number {
    let n = 0;
    for (const id of this.observer.published) if (!this.#confirmed.has(id)) n++;
    return n;
  }

  /** Effects the leader carried out, arriving at the clients. */
  effect(effect: QueueEffect): void {
    switch (effect.kind) {
      case 'confirm':
        this.#confirmed.add(effect.id);
        this.observer.confirmed.add(effect.id);
        return;
      case 'subscribed':
        this.#subscribed.add(effect.consumer);
        return;
      case 'down':
        this.#down.add(effect.consumer);
        return;
      case 'settled':
        this.#settling.get(effect.consumer)?.add(effect.id);
        return;
      case 'deliver':
        this.#deliver(effect.consumer, effect.id, effect.index);
    }
  }

  #deliver(consumer: string, id: string, index: number): void {
    this.observer.delivered(consumer, id, index);
    this.deliveries++;
    if (this.#dead.has(consumer)) return;
    const settled = this.#settling.get(consumer)!;
    settled.delete(id);
    const roll = this.#draining.has(consumer) ? 0 : this.dice.next();
    const outcome = roll < 0.8 ? 'ack' : roll < 0.93 ? 'requeue' : 'drop';
    // The jitter's draw travels in the command (no retry policy here, so it goes unused).
    const gathered = this.#gathered.get(consumer);
    if (gathered !== undefined) {
      gathered.push({ consumer, id, outcome, random: 0 });
      return;
    }
    this.#gathered.set(consumer, [{ consumer, id, outcome, random: 0 }]);
    this.clock.after(GATHER_MS, () => this.#sendSettles(consumer));
  }

  #sendSettles(consumer: string): void {
    const settles = this.#gathered.get(consumer)!;
    this.#gathered.delete(consumer);
    const settled = this.#settling.get(consumer)!;
    const now = this.clock.now;
    const command: QueueCommand = settles.length === 1 ? { t: 'settle', ...settles[0]!, now } : { t: 'settles', now, settles };
    this.#retry(command, () => this.#dead.has(consumer) || settles.every((s) => settled.has(s.id)));
  }

  #retry(command: QueueCommand, done: () => boolean): void {
    new Retried(this.clock, this.link, this.members, this.dice, command, done);
  }
}
