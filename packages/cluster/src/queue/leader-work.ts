/**
 * What a replicated queue's leader carries out beyond deliveries (queue-group.ts does those):
 * retries whose back-off ran out, and dead-letters to the queue's dead-letter exchange.
 *
 * Dead-lettering is at-least-once (docs/cluster.md, "Dead-lettering"): a message that leaves the
 * queue for its dead-letter exchange stays pending in the queue's state, on every member, until
 * the leader has routed it, every target queue has confirmed it (a majority of a replicated
 * target's log, the store's synced batch for a classic one), and a `dead-lettered` command
 * naming it is committed. A leader that dies in between leaves it pending, and the next leader
 * routes it again: a target may then hold it twice, never zero times.
 *
 * Both are kept in the queue's state (ReplicaEffects' `retries` and `deadLetters`), so whichever
 * member leads knows them: a new leader fires the retries that are due and routes the
 * dead-letters still pending as soon as it takes over.
 */
import type { DeathReason, Message } from '@warren/core';
import type { ClusterLogger } from '../node/peers.js';
import type { QueueLogCommand, QueueLogEffect } from './queue-log.js';
import type { ReplicatedQueueState } from './replicated-queue.js';

/** Routes a dead-letter; resolves once every target has it. */
export type DeadLetterRoute = (message: Message, reason: DeathReason) => Promise<void>;

/** How long after a failed routing the leader tries a pending dead-letter again. */
const RETRY_ROUTING_MS = 1_000;

export class LeaderWork {
  /** Dead-letters being routed by this member, by message id. */
  readonly #routing = new Set<string>();
  /** When routing a dead-letter last failed here. */
  readonly #failed = new Map<string, number>();

  constructor(
    private readonly group: string,
    private readonly logger: ClusterLogger,
    private readonly state: () => ReplicatedQueueState,
    private readonly propose: (command: QueueLogCommand) => Promise<number>,
    /** Proposes a leader's command unless the same one (by key) is still on its way. */
    private readonly once: (key: string, command: () => QueueLogCommand) => void,
    private readonly route: DeadLetterRoute | undefined,
  ) {}

  /** An effect applied while this member leads. */
  carryOut(effect: QueueLogEffect): void {
    if (effect.kind === 'dead-letter') this.#deadLetter(effect.id);
  }

  /** This member just took over: every pending dead-letter is routed (again). */
  takeOver(): void {
    this.#routing.clear();
    this.#failed.clear();
    for (const id of this.state().effects.deadLetters.keys()) this.#deadLetter(id);
  }

  /** On the leader, every duty round: retries that are due come back; failed dead-letters are tried again. */
  duties(now: number): void {
    const { retries, deadLetters } = this.state().effects;
    for (const [id, { due }] of retries) {
      if (due <= now) this.once(`retry:${id}`, () => ({ t: 'retry-due', id, now: Date.now() }));
    }
    for (const [id, at] of this.#failed) {
      if (!deadLetters.has(id)) this.#failed.delete(id);
      else if (now - at >= RETRY_ROUTING_MS) this.#deadLetter(id);
    }
  }

  #deadLetter(id: string): void {
    const pending = this.state().effects.deadLetters.get(id);
    if (pending === undefined || this.route === undefined || this.#routing.has(id)) return;
    this.#routing.add(id);
    this.#failed.delete(id);
    this.route(pending.message, pending.reason)
      .then(() => this.propose({ t: 'dead-lettered', id, now: Date.now() }))
      .then(
        () => this.#routing.delete(id),
        (error: unknown) => {
          this.#routing.delete(id);
          this.#failed.set(id, Date.now());
          this.logger.warn({ group: this.group, id, err: error }, 'a dead-letter is not confirmed by its targets yet; it stays in the queue and is routed again');
        },
      );
  }
}
