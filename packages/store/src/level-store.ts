/**
 * The core's Store port on LevelDB (level v10, classic-level underneath). This file maps records
 * and messages to keys (keys.ts) and values (JSON, or message-codec.ts for messages) and hands
 * every write to the group commit (group-commit.ts), which owns batching, order and tickets;
 * boot clean-up is recover.ts. What to store and when to wait for it is the core's business.
 */
import { mkdir } from 'node:fs/promises';
import type {
  BindingRecord,
  Commit,
  DedupRecord,
  ExchangeRecord,
  Message,
  PolicyRecord,
  QueueRecord,
  ScheduledRecord,
  QueueRecovery,
  Store,
  StoredMessage,
  StoredRecord,
  StoreStats,
  RecordSpace,
  Topology,
} from '@warren/core';
import { Level } from 'level';
import { GroupCommit } from './group-commit.js';
import {
  BINDINGS,
  DEDUP_IDS,
  DELIVERY_COUNTS,
  DELIVERY_MARKS,
  EXCHANGES,
  MARKERS,
  MESSAGES,
  POLICIES,
  QUEUES,
  SCHEDULED,
  bindingKey,
  dedupIdOfKey,
  dedupKeyPart,
  exchangeKey,
  policyKey,
  scheduledKey,
  queueKey,
  queuePrefix,
  rangeEnd,
  recordKey,
  RECORD_SPACES,
  seqHex,
  seqOfKey,
} from './keys.js';
import { decodeMessage, decodeScheduled, encodeMessage, encodeScheduled } from './message-codec.js';
import { dropQueuesExcept, recoverQueue } from './recover.js';

type Db = Level<string, Buffer>;

interface QueueKeys {
  messages: string;
  markers: string;
  dedupIds: string;
  counts: string;
}

const EMPTY = Buffer.alloc(0);
/** Scheduled records read per iterator call at boot. */
const SCHEDULED_CHUNK = 1024;

/** Topology changes are rare and answered as durable, so their writes always sync. */
export class LevelStore implements Store {
  #db: Db | undefined;
  #writes: GroupCommit | undefined;
  /** Key prefixes per queue id, built once, since putMessage is the broker's hot path. */
  readonly #prefixes = new Map<string, QueueKeys>();
  /**
   * Queues given a transient message since open: only their deletes must remove a marker too.
   * Markers from an earlier run are gone once recoverQueue (or dropQueuesExcept) has run.
   */
  readonly #transientQueues = new Set<string>();
  /** The message encoded last: one routed to several queues is encoded once. */
  #lastMessage: Message | undefined;
  #lastValue: Buffer = EMPTY;

  #messagesWritten = 0;

  constructor(private readonly dir: string) {}

  stats(): StoreStats {
    const { batches, syncs } = this.#writes?.stats ?? { batches: 0, syncs: 0 };
    return { batches, syncs, messagesWritten: this.#messagesWritten };
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // Built here, not in the constructor: level opens itself on creation, and the directory
    // must exist first.
    // LevelDB memory-maps every table file it keeps open, and mapped pages that were read count
    // in the process's RSS: a deep backlog read front to back would keep up to 1,000 tables
    // (2 GB) resident. 48 open files (about 38 tables, 76 MB) bound that; reads are sequential.
    const db = new Level<string, Buffer>(this.dir, { keyEncoding: 'utf8', valueEncoding: 'buffer', maxOpenFiles: 48 });
    await db.open();
    this.#db = db;
    this.#writes = new GroupCommit(db);
  }

  async close(): Promise<void> {
    const db = this.#db;
    if (db === undefined || db.status !== 'open') return;
    try {
      await this.#queue.written();
    } finally {
      await db.close();
    }
  }

  async loadTopology(): Promise<Topology> {
    const [exchanges, queues, bindings, policies] = await Promise.all([
      this.#records<ExchangeRecord>(EXCHANGES),
      this.#records<QueueRecord>(QUEUES),
      this.#records<BindingRecord>(BINDINGS),
      this.#records<PolicyRecord>(POLICIES),
    ]);
    return { exchanges, queues, bindings, policies };
  }

  recoverQueue(queue: QueueRecord): Promise<QueueRecovery> {
    return recoverQueue(this.#database, this.#queue, queue);
  }

  dropQueuesExcept(keep: ReadonlySet<string>): Promise<void> {
    return dropQueuesExcept(this.#database, this.#queue, keep);
  }

  putExchange(exchange: ExchangeRecord): void {
    this.#queue.put(exchangeKey(exchange.vhost, exchange.name), toJson(exchange), true);
  }

  deleteExchange(vhost: string, name: string): void {
    this.#queue.del(exchangeKey(vhost, name), true);
  }

  putQueue(queue: QueueRecord): void {
    this.#queue.put(queueKey(queue.vhost, queue.name), toJson(queue), true);
  }

  deleteQueue(queue: QueueRecord): void {
    const writes = this.#queue;
    const { messages, markers, dedupIds, counts } = this.#keysOf(queue.id);
    writes.del(queueKey(queue.vhost, queue.name), true);
    writes.del(queuePrefix(DELIVERY_MARKS, queue.id), true);
    writes.clear(counts, rangeEnd(counts));
    writes.clear(messages, rangeEnd(messages));
    writes.clear(markers, rangeEnd(markers));
    writes.clear(dedupIds, rangeEnd(dedupIds));
    this.#prefixes.delete(queue.id);
    this.#transientQueues.delete(queue.id);
  }

  putBinding(binding: BindingRecord): void {
    this.#queue.put(bindingKey(binding), toJson(binding), true);
  }

  deleteBinding(binding: BindingRecord): void {
    this.#queue.del(bindingKey(binding), true);
  }

  putPolicy(policy: PolicyRecord): void {
    this.#queue.put(policyKey(policy.vhost, policy.name), toJson(policy), true);
  }

  deletePolicy(vhost: string, name: string): void {
    this.#queue.del(policyKey(vhost, name), true);
  }

  putScheduled(record: ScheduledRecord): void {
    this.#queue.put(scheduledKey(record.id), encodeScheduled(record), record.durable);
  }

  deleteScheduled(id: string, sync = false): void {
    this.#queue.del(scheduledKey(id), sync);
  }

  /**
   * Reads every scheduled message; the transient ones (from before a restart) are deleted. Read
   * in chunks: one await per entry made 100,000 records take seconds.
   */
  async loadScheduled(): Promise<ScheduledRecord[]> {
    const kept: ScheduledRecord[] = [];
    const iterator = this.#database.iterator({ gte: SCHEDULED, lt: rangeEnd(SCHEDULED) });
    try {
      for (let entries = await iterator.nextv(SCHEDULED_CHUNK); entries.length > 0; entries = await iterator.nextv(SCHEDULED_CHUNK)) {
        for (const [key, value] of entries) {
          const record = decodeScheduled(value);
          if (record.durable) kept.push(record);
          else this.#queue.del(key);
        }
      }
    } finally {
      await iterator.close();
    }
    return kept;
  }

  putDedupId(queueId: string, messageId: string, at: number): void {
    this.#queue.put(this.#keysOf(queueId).dedupIds + dedupKeyPart(messageId), Buffer.from(String(at)), true);
  }

  deleteDedupId(queueId: string, messageId: string): void {
    this.#queue.del(this.#keysOf(queueId).dedupIds + dedupKeyPart(messageId));
  }

  async loadDedupIds(queueId: string): Promise<DedupRecord[]> {
    const prefix = this.#keysOf(queueId).dedupIds;
    const entries = await this.#database.iterator({ gte: prefix, lt: rangeEnd(prefix) }).all();
    return entries.map(([key, value]) => ({ id: dedupIdOfKey(key, prefix.length), at: Number(value.toString('latin1')) }));
  }

  putMessage(queueId: string, seq: number, message: Message, durable: boolean, sync: boolean): void {
    const writes = this.#queue;
    const keys = this.#keysOf(queueId);
    const seqKey = seqHex(seq);
    if (message !== this.#lastMessage) {
      this.#lastValue = encodeMessage(message);
      this.#lastMessage = message;
    }
    writes.put(keys.messages + seqKey, this.#lastValue, sync);
    this.#messagesWritten++;
    if (!durable) {
      writes.put(keys.markers + seqKey, EMPTY, sync);
      this.#transientQueues.add(queueId);
    }
  }

  deleteMessage(queueId: string, seq: number): void {
    const writes = this.#queue;
    const keys = this.#keysOf(queueId);
    const seqKey = seqHex(seq);
    writes.del(keys.messages + seqKey);
    writes.del(keys.counts + seqKey);
    if (this.#transientQueues.has(queueId)) writes.del(keys.markers + seqKey);
  }

  /** Not synced: once LevelDB has written it to its log, a crash of this process cannot lose it. */
  putDeliveryCount(queueId: string, seq: number, count: number): void {
    this.#queue.put(this.#keysOf(queueId).counts + seqHex(seq), Buffer.from(String(count)), false);
  }

  putDeliveryMark(queueId: string, seq: number): void {
    this.#queue.put(queuePrefix(DELIVERY_MARKS, queueId), Buffer.from(String(seq)), false);
  }

  purgeMessages(queueId: string, fromSeq = 0): void {
    const writes = this.#queue;
    const { messages, markers, counts } = this.#keysOf(queueId);
    const from = seqHex(Math.max(0, fromSeq));
    writes.clear(counts + from, rangeEnd(counts));
    writes.clear(messages + from, rangeEnd(messages));
    writes.clear(markers + from, rangeEnd(markers));
  }

  async readMessages(queueId: string, fromSeq: number, limit: number): Promise<StoredMessage[]> {
    if (limit <= 0) return [];
    const { messages, counts } = this.#keysOf(queueId);
    const from = seqHex(Math.max(0, fromSeq));
    const entries = await this.#database.iterator({ gte: messages + from, lt: rangeEnd(messages), limit }).all();
    const page: StoredMessage[] = entries.map(([key, value]) => ({ seq: seqOfKey(key), message: decodeMessage(value) }));
    const last = page[page.length - 1];
    if (last === undefined) return page;
    // Counts are sparse (only delivered messages have one): read those of the page's seq range.
    const delivered = await this.#database.iterator({ gte: counts + from, lte: counts + seqHex(last.seq) }).all();
    if (delivered.length === 0) return page;
    const bySeq = new Map(delivered.map(([key, value]) => [seqOfKey(key), Number(value.toString('latin1'))]));
    for (const stored of page) {
      const count = bySeq.get(stored.seq);
      if (count !== undefined) stored.deliveryCount = count;
    }
    return page;
  }

  putRecord(space: RecordSpace, id: string, value: object, sync: boolean): void {
    this.#queue.put(recordKey(space, id), toJson(value), sync);
  }

  deleteRecord(space: RecordSpace, id: string): void {
    this.#queue.del(recordKey(space, id));
  }

  trimRecords(space: RecordSpace, beforeId: string): void {
    this.#queue.clear(RECORD_SPACES[space], recordKey(space, beforeId));
  }

  async readRecords(space: RecordSpace, options: { from?: string; limit: number; reverse?: boolean }): Promise<StoredRecord[]> {
    if (options.limit <= 0) return [];
    const prefix = RECORD_SPACES[space];
    const reverse = options.reverse ?? false;
    const range =
      options.from === undefined
        ? { gte: prefix, lt: rangeEnd(prefix) }
        : reverse
          ? { gte: prefix, lte: recordKey(space, options.from) }
          : { gte: recordKey(space, options.from), lt: rangeEnd(prefix) };
    const entries = await this.#database.iterator({ ...range, reverse, limit: options.limit }).all();
    return entries.map(([key, value]) => ({ id: key.slice(prefix.length), value: JSON.parse(value.toString('utf8')) as unknown }));
  }

  commit(): Commit {
    return this.#queue.commit();
  }

  get #database(): Db {
    if (this.#db === undefined) throw new Error('LevelStore is not open');
    return this.#db;
  }

  get #queue(): GroupCommit {
    if (this.#writes === undefined) throw new Error('LevelStore is not open');
    return this.#writes;
  }

  #keysOf(queueId: string): QueueKeys {
    let keys = this.#prefixes.get(queueId);
    if (keys === undefined) {
      keys = {
        messages: queuePrefix(MESSAGES, queueId),
        markers: queuePrefix(MARKERS, queueId),
        dedupIds: queuePrefix(DEDUP_IDS, queueId),
        counts: queuePrefix(DELIVERY_COUNTS, queueId),
      };
      this.#prefixes.set(queueId, keys);
    }
    return keys;
  }

  async #records<T>(prefix: string): Promise<T[]> {
    const values = await this.#database.values({ gte: prefix, lt: rangeEnd(prefix) }).all();
    return values.map((value) => JSON.parse(value.toString('utf8')) as T);
  }
}

function toJson(record: object): Buffer {
  return Buffer.from(JSON.stringify(record));
}
