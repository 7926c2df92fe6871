/**
 * The commands of the queue machine (queue-machine.ts): every change to a queue is one of these,
 * applied by QueueMachine.apply. Each carries the time it happens at (`now`, ms since the epoch)
 * and, where a retry back-off may be drawn, the random number its jitter uses, so that applying a
 * command reads neither a clock nor Math.random: the same commands in the same order give the
 * same state and the same effects (queue-effects.ts) on any node. The local shell (queue.ts)
 * builds them from calls; a replicated queue takes them from its Raft log.
 *
 * Some consequences are not commands of their own but what a command does by the queue's rules:
 * dead-lettering, the delivery limit and the overflow modes happen inside enqueue, settle,
 * dispatch and the timers, and come out as effects.
 */
import type { Message, QueueEntry } from '../message.js';
import type { StoredMessage } from '../ports.js';
import type { Policy } from '../policy/policy.js';
import type { AttemptReason } from './attempt-log.js';
import type { Consumer } from './consumer.js';

/** How a consumer settled: ack, nack with requeue, reject (drop: retried or dead-lettered) or retry. */
export type Settlement = 'ack' | 'requeue' | 'drop' | 'retry';

/** The queue's own timers: the head's TTL, the earliest ack lease, the queue's x-expires. */
export type QueueTimer = 'ttl' | 'lease' | 'expires';

interface At {
  /** When the command happens, ms since the epoch: the machine's clock while it is applied. */
  now: number;
}

/** A random number in [0, 1) for a retry's jitter (settings.ts retryDelay); unused without jitter. */
interface Drawn {
  random: number;
}

export type QueueCommand =
  /** A publish (or a dead-lettering, a redrive) reaches the queue; overflow and x-max-length apply. */
  | (At & { kind: 'enqueue'; message: Message })
  /** A retry's back-off fired: the message comes back to the tail. */
  | (At & { kind: 'retry-due'; message: Message })
  /** Deliver what can be (a round cut at the consumers' share goes on). */
  | (At & { kind: 'dispatch' })
  /**
   * The consumer's connection filled up (false), or can take more again (true). Deliveries to it
   * stop or resume; the shell reads the connection, the machine only this command.
   */
  | (At & { kind: 'credit'; consumer: Consumer; writable: boolean })
  /** A delivery the shell held (until its delivery count was stored) goes out now. */
  | (At & { kind: 'hand-over'; consumer: Consumer; entry: QueueEntry })
  /** ack, nack / requeue, reject, retry of one delivery; a failure is logged in the message. */
  | (At &
      Drawn & {
        kind: 'settle';
        entry: QueueEntry;
        consumer: Consumer;
        outcome: Settlement;
        delay: number | undefined;
        reason: AttemptReason | undefined;
        error: string | undefined;
      })
  /** Renews a delivery's ack lease to `ms` from now. */
  | (At & { kind: 'extend-lease'; entry: QueueEntry; ms: number })
  /** A connection closed: its unsettled deliveries come back (requeued, redelivered). */
  | (At & { kind: 'connection-lost'; deliveries: Iterable<{ entry: QueueEntry; consumer: Consumer }> })
  | (At & { kind: 'attach'; consumer: Consumer })
  | (At & { kind: 'cancel'; consumer: Consumer })
  /** One of the queue's timers came due: TTL expiry, ack-lease expiry or the queue's x-expires. */
  | (At & Drawn & { kind: 'timer'; timer: QueueTimer })
  /** Asks for the next page of paged-out messages now (basic.get, a redrive), not when the RAM head runs low. */
  | (At & { kind: 'want-page' })
  /**
   * The page the machine asked for (QueueEffects' readPage via the backlog) was read: its
   * messages, or undefined when the read failed. `generation` is the request's.
   */
  | (At & { kind: 'paged-in'; generation: number; messages: readonly StoredMessage[] | undefined })
  /** Removes the ready messages (AMQP queue.purge). */
  | (At & { kind: 'purge' })
  /** A new policy (or none) applies. */
  | (At & { kind: 'policy'; policy: Policy | undefined })
  /** The queue was declared again: its x-expires clock restarts. */
  | (At & { kind: 'touch' })
  /** Takes the head ready message out (basic.get, a redrive): the shell gets it back from apply. */
  | (At & { kind: 'take-head' })
  /** Puts a message taken with take-head back in its place, unchanged. */
  | (At & { kind: 'put-back'; entry: QueueEntry })
  /** A message taken with take-head went elsewhere: its stored copy goes. */
  | (At & { kind: 'drop'; entry: QueueEntry })
  /** Removes these ready messages wherever they are (a redrive moved them). */
  | (At & { kind: 'remove'; entries: QueueEntry[] })
  /** At boot: what the store holds for this durable queue. */
  | (At & { kind: 'recover'; count: number; lastSeq: number; deliveredUpTo: number })
  /** The queue is deleted: its consumers are cancelled. */
  | (At & { kind: 'delete' })
  /** The broker stops: timers off, the delivery record left exact. */
  | (At & { kind: 'stop' });

export type QueueCommandKind = QueueCommand['kind'];
