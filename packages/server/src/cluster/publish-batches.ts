/**
 * The publishes a node takes for each replicated queue within one event-loop turn, proposed as
 * one log command: `enqueues`, applied as each of its publishes in order (docs/replication.md),
 * or a lone `enqueue`. Each publish keeps its own commit handle; all of a command's settle when
 * it is committed (docs/performance.md, "The replicated hot path").
 *
 * A queue that may refuse a publish (a length limit with x-overflow reject-publish or
 * reject-publish-dlx) gets its publishes one command each, so each is nacked alone when refused.
 * Should a policy give it such a limit while a command of several is on its way, and the queue
 * refuse one of them, every publish of that command is nacked `queue_full`: those it stored are
 * then published again by their clients (at-least-once), none is lost.
 */
import { WarrenError } from '@warren/protocol';
import type { EnqueueItem, QueueLogCommand } from '@warren/cluster';
import type { ReplicatedCommit } from './replica-answers.js';
import { unavailable } from './replica-answers.js';
import type { ReplicatedQueue } from './replicated-queue.js';
import { TurnBatches } from './turn-batches.js';

/**
 * At most this many publishes, or about this many bytes of bodies, in one command: a Raft append
 * carries up to 256 entries, so an entry stays near the size of one large message (64 KiB), and
 * a lagging member's catch-up messages near what they were with one publish an entry.
 */
export const MAX_PUBLISHES_PER_COMMAND = 512;
export const MAX_BYTES_PER_COMMAND = 64 * 1024;

interface Batch {
  now: number;
  readonly messages: EnqueueItem[];
  readonly commits: ReplicatedCommit[];
  bytes: number;
}

/** Whether the queue may refuse a publish (Enqueued.Rejected), as its settings on this node say. */
function mayRefuse(queue: ReplicatedQueue): boolean {
  const { overflow, maxLength, maxLengthBytes } = queue.settings;
  return overflow !== 'drop-head' && (maxLength !== undefined || maxLengthBytes !== undefined);
}

export class PublishBatches {
  readonly #batches = new TurnBatches<ReplicatedQueue, Batch>(
    () => ({ now: 0, messages: [], commits: [], bytes: 0 }),
    (queue, batch) => this.#send(queue, batch),
  );

  /** `client`: this node (confirms name it); `propose` resolves with the index, negated when the queue refused a publish. */
  constructor(
    private readonly client: string,
    private readonly propose: (queue: ReplicatedQueue, command: QueueLogCommand) => Promise<number>,
  ) {}

  /** A publish of `message` at `now` whose commit is `commit`. */
  add(queue: ReplicatedQueue, message: EnqueueItem, now: number, commit: ReplicatedCommit): void {
    if (mayRefuse(queue)) {
      // A policy just gave it a limit: what was gathered before goes first, so publishes keep their order.
      this.#batches.sendNow(queue);
      this.#send(queue, { now, messages: [message], commits: [commit], bytes: 0 });
      return;
    }
    const batch = this.#batches.of(queue);
    if (batch.messages.length === 0) batch.now = now;
    batch.messages.push(message);
    batch.commits.push(commit);
    batch.bytes += message.body.byteLength;
    if (batch.messages.length >= MAX_PUBLISHES_PER_COMMAND || batch.bytes >= MAX_BYTES_PER_COMMAND) this.#batches.sendNow(queue);
  }

  #send(queue: ReplicatedQueue, { now, messages, commits }: Batch): void {
    const { client } = this;
    const command: QueueLogCommand = messages.length === 1 ? { ...messages[0]!, t: 'enqueue', client, now } : { t: 'enqueues', client, now, messages };
    this.propose(queue, command).then(
      (index) => {
        const error = index < 0 ? new WarrenError('queue_full', `replicated queue '${queue.name}' is full (x-overflow reject-publish)`) : undefined;
        for (const commit of commits) commit.settle(error);
      },
      (error: unknown) => {
        const refused = unavailable(error);
        for (const commit of commits) commit.settle(refused);
      },
    );
  }
}
