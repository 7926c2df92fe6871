/**
 * The ports the core needs from the outside world. The core never touches a disk, a socket or a
 * clock directly: packages/store implements Store (LevelDB), the server passes a pino Logger,
 * and tests pass the in-memory store and a fake clock.
 */
import type { ExchangeType } from '@warren/protocol';
import type { Commit } from './commit.js';
import type { Message, Table } from './message.js';
import type { PolicyRecord } from './policy/policy.js';

export interface ExchangeRecord {
  vhost: string;
  name: string;
  type: ExchangeType;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: Table;
}

export interface QueueRecord {
  /** Unique per declaration, so a deleted and re-declared queue never sees old messages. */
  id: string;
  vhost: string;
  name: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: Table;
  /** The connection an exclusive queue belongs to; never stored (exclusive queues are not). */
  owner?: string;
  /** A replicated queue's Raft group: the nodes holding a replica, and the one meant to lead it (set by the cluster at declare). */
  replicas?: QueueReplicas;
}

export interface QueueReplicas {
  /** The Raft group's name: unique per declaration, so a queue declared again never meets the old one's log. */
  group: string;
  members: string[];
  leader: string;
  /** The members the group was founded with (its first log entry), kept once `members` changed: a member added later bootstraps with them, so every log starts alike. */
  founders?: string[];
}

export interface BindingRecord {
  vhost: string;
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: Table;
}

export interface Topology {
  exchanges: ExchangeRecord[];
  queues: QueueRecord[];
  bindings: BindingRecord[];
  policies: PolicyRecord[];
}

/** A message waiting for a time: a retry back-off (back to its queue) or a delayed publish (to its exchange). */
export interface ScheduledRecord {
  id: string;
  /** When it is due, ms since the epoch. */
  due: number;
  vhost: string;
  kind: 'retry' | 'delay';
  /** retry: the queue it returns to, by name and by the id of that queue's declaration. */
  queue?: string;
  queueId?: string;
  /** delay: the exchange it is published to (the message's routing key is used). */
  exchange?: string;
  message: Message;
  /** Kept across a restart (a persistent message bound for a durable destination). */
  durable: boolean;
}

/** A message id a queue's dedup window holds, and when the queue took that message (ms). */
export interface DedupRecord {
  id: string;
  at: number;
}

/**
 * The key spaces of putRecord: redrive jobs (redrive-job.ts), the audit log (audit.ts), vhosts
 * (vhost-records.ts), and users and permissions (the server's auth/).
 */
export type RecordSpace = 'redrive' | 'audit' | 'vhost' | 'access';

export interface StoredRecord {
  id: string;
  value: unknown;
}

export interface StoredMessage {
  seq: number;
  message: Message;
  /** Deliveries recorded with putDeliveryCount; absent when never delivered. */
  deliveryCount?: number;
}

/** What a durable queue finds on disk at boot. */
export interface QueueRecovery {
  /** Messages stored for the queue (transient ones already removed). */
  count: number;
  /** Highest seq stored, 0 when none. */
  lastSeq: number;
  /** The queue's delivery mark (putDeliveryMark), 0 when none. */
  deliveredUpTo: number;
}

/**
 * Writes are queued and applied in order by group commit: everything queued while one write
 * is in flight goes into the next batch, and a batch is synced when any of its writes asks for
 * it. `commit()` hands out the commit handle (commit.ts) of the batch that holds every write
 * queued so far: it settles once that batch (and so every write queued before it) is applied,
 * synced if any of its writes asked for sync. Batches settle in the order they were queued.
 */
export interface Store {
  open(): Promise<void>;
  /** Applies every queued write, then closes. */
  close(): Promise<void>;

  loadTopology(): Promise<Topology>;
  /** Removes transient messages and the messages of queues that are not durable. */
  recoverQueue(queue: QueueRecord): Promise<QueueRecovery>;
  /** Drops the stored messages of every queue id not in `keep` (queues that did not survive). */
  dropQueuesExcept(keep: ReadonlySet<string>): Promise<void>;

  putExchange(exchange: ExchangeRecord): void;
  deleteExchange(vhost: string, name: string): void;
  putQueue(queue: QueueRecord): void;
  /** Deletes the queue's record and all its messages. */
  deleteQueue(queue: QueueRecord): void;
  putBinding(binding: BindingRecord): void;
  deleteBinding(binding: BindingRecord): void;
  putPolicy(policy: PolicyRecord): void;
  deletePolicy(vhost: string, name: string): void;

  /** Stores a scheduled message, replacing the record with the same id (synced when durable). */
  putScheduled(record: ScheduledRecord): void;
  /** `sync` for a cancel, which is answered as durable; a fire rides the batch of its enqueue. */
  deleteScheduled(id: string, sync?: boolean): void;
  /** At boot: the durable scheduled messages; the others are removed. */
  loadScheduled(): Promise<ScheduledRecord[]>;

  /**
   * Remembers that a queue took the persistent message with this publisher's id at `at` (ms),
   * for its dedup window (dedup.ts). Put right after the message, it lands in the same batch,
   * synced. deleteQueue and dropQueuesExcept remove a queue's ids with its messages.
   */
  putDedupId(queueId: string, messageId: string, at: number): void;
  deleteDedupId(queueId: string, messageId: string): void;
  /** At boot: the ids a durable queue remembers, in no particular order. */
  loadDedupIds(queueId: string): Promise<DedupRecord[]>;

  /**
   * Stores a message in a queue. `sync` makes the batch that holds it wait for the disk.
   * A message stored with `durable: false` is removed at the next boot.
   */
  putMessage(queueId: string, seq: number, message: Message, durable: boolean, sync: boolean): void;
  /** Deletes a message and its delivery count. */
  deleteMessage(queueId: string, seq: number): void;
  /**
   * Records how often a stored message has been delivered, as far as its mark does not say it
   * (delivery-record.ts); readMessages gives it back. Not synced: applied is enough to survive a
   * crash of the broker process.
   */
  putDeliveryCount(queueId: string, seq: number, count: number): void;
  /** Records that the queue's messages with seq <= `seq` may have been delivered once more than their counts say. Not synced. */
  putDeliveryMark(queueId: string, seq: number): void;
  /** Deletes every message of the queue with seq >= fromSeq (default 0: all), keeping the queue. */
  purgeMessages(queueId: string, fromSeq?: number): void;

  /** Messages of a queue with seq >= fromSeq, in seq order, at most `limit`. */
  readMessages(queueId: string, fromSeq: number, limit: number): Promise<StoredMessage[]>;

  /**
   * Small operational records by space and id (redrive jobs, audit entries), read back in id
   * order. Written in the batch of the writes queued with them, so a record and the messages it
   * accounts for land together.
   */
  putRecord(space: RecordSpace, id: string, value: object, sync: boolean): void;
  deleteRecord(space: RecordSpace, id: string): void;
  /** Deletes every record of the space whose id sorts before `beforeId`. */
  trimRecords(space: RecordSpace, beforeId: string): void;
  /** Records of the space in id order (descending with `reverse`), starting at `from` (inclusive), at most `limit`. */
  readRecords(space: RecordSpace, options: { from?: string; limit: number; reverse?: boolean }): Promise<StoredRecord[]>;

  /** The commit handle of every write queued so far (a settled one when nothing is pending). */
  commit(): Commit;

  /** Counters since open, for the management API and for tests of group commit. */
  stats(): StoreStats;
}

export interface StoreStats {
  /** Write batches applied. */
  batches: number;
  /** Batches that waited for the disk (one fsync each). */
  syncs: number;
  /** Messages written. */
  messagesWritten: number;
}

/** Time, as a port, so that tests can drive TTLs and back-offs without waiting. */
export interface Clock {
  now(): number;
  /** Calls `fire` after `ms`; the returned function cancels it. */
  setTimer(ms: number, fire: () => void): () => void;
}

/** The logger port: a pick of pino's methods, structured object first. */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
