/**
 * What a replicated queue's log answers to the node that asked. A proposal comes back as its log
 * index only; what applying it decided comes out as effects on every member. So:
 *
 * - a purge or a take names a `ref`, and the member that asked waits for its own replica to apply
 *   the command: the `purged` / `removed` effect with that ref is the answer (count, messages);
 * - a publish the queue refused (x-overflow reject-publish) is answered by the leader, which
 *   applied it before it answers the proposal: it answers the index negated, and the publisher's
 *   node nacks the publish with `queue_full`;
 * - a publish's commit handle settles once its command is committed (or with the error, always a
 *   WarrenError: cluster_unavailable unless the queue said otherwise).
 */
import { WarrenError } from '@warren/protocol';
import { PendingCommit } from '@warren/core';
import { ClusterUnavailableError, type QueueLogCommand, type QueueLogEffect } from '@warren/cluster';

type Answer = Extract<QueueLogEffect, { kind: 'purged' | 'removed' }>;

/** Refusals kept for their proposals' answers; more than this and the oldest go (their proposer gave up). */
const MAX_REFUSALS = 10_000;

export class ReplicaAnswers {
  readonly #waiting = new Map<string, { resolve: (answer: Answer) => void; reject: (error: unknown) => void }>();
  /** Log ids of publishes this node rejected while it led, until their proposal is answered. */
  readonly #rejected = new Set<string>();

  /** The effects of one command applied on this node's replica. */
  applied(effects: readonly QueueLogEffect[], leading: boolean): void {
    for (const effect of effects) {
      if (effect.kind === 'purged' || effect.kind === 'removed') {
        const waiter = this.#waiting.get(effect.ref);
        this.#waiting.delete(effect.ref);
        waiter?.resolve(effect);
      } else if (effect.kind === 'rejected' && leading) {
        if (this.#rejected.size >= MAX_REFUSALS) this.#rejected.delete(this.#rejected.values().next().value!);
        this.#rejected.add(effect.id);
      }
    }
  }

  /**
   * Proposes a command naming `ref` and resolves with this node's replica's answer to it; rejects
   * with cluster_unavailable when the proposal fails or the replica has not applied it by `deadlineMs`.
   */
  ask(ref: string, propose: () => Promise<number>, deadlineMs: number): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => fail(new WarrenError('cluster_unavailable', 'this node did not apply the command in time; it may still be applied')), deadlineMs);
      const fail = (error: unknown) => {
        clearTimeout(timer);
        this.#waiting.delete(ref);
        reject(error);
      };
      this.#waiting.set(ref, {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: fail,
      });
      propose().catch(fail);
    });
  }

  /** On the leader, a proposal's answer: its index, negated when it was a publish the queue rejected (one of them, for `enqueues`). */
  answer(command: QueueLogCommand, index: number): number {
    if (command.t === 'enqueues') {
      let rejected = false;
      for (const { id } of command.messages) if (this.#rejected.delete(id)) rejected = true;
      return rejected ? -index : index;
    }
    if (command.t !== 'enqueue' || !this.#rejected.delete(command.id)) return index;
    return -index;
  }
}

/** A publish's commit in a replicated queue's log: once done, a majority of its replicas has it on disk. */
export class ReplicatedCommit extends PendingCommit {
  constructor(readonly replicas: number) {
    super();
  }
}

export function unavailable(error: unknown): WarrenError {
  if (error instanceof WarrenError) return error;
  if (error instanceof ClusterUnavailableError) return new WarrenError('cluster_unavailable', error.message);
  return new WarrenError('cluster_unavailable', error instanceof Error ? error.message : String(error));
}
