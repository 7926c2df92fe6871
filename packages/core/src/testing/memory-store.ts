/**
 * An in-memory Store for core unit tests. It keeps the LevelDB store's write semantics: writes
 * queue up and are applied together once per microtask turn (one batch, one commit handle), reads
 * see only applied writes, and a handle always calls back later, never inside onSettled. Its data
 * lives in a MemoryDisk, which a test hands to a new MemoryStore to simulate a restart; as on
 * disk, transient messages stay until recoverQueue runs. Nothing is ever synced: `sync` is moot.
 */
import { COMMITTED, PendingCommit, type Commit } from '../commit.js';
import { canonicalJson } from '../canonical.js';
import type { Message } from '../message.js';
import type {
  BindingRecord,
  DedupRecord,
  ExchangeRecord,
  QueueRecord,
  QueueRecovery,
  RecordSpace,
  Store,
  ScheduledRecord,
  StoredMessage,
  StoredRecord,
  StoreStats,
  Topology,
} from '../ports.js';
import type { PolicyRecord } from '../policy/policy.js';

interface StoredEntry {
  message: Message;
  durable: boolean;
  deliveryCount?: number;
}

/** One queue's messages, iterated in seq order (re-sorted lazily after an out-of-order put). */
class MessageLog {
  entries = new Map<number, StoredEntry>();
  #ordered = true;
  #maxSeq = -1;

  put(seq: number, entry: StoredEntry): void {
    if (seq < this.#maxSeq && !this.entries.has(seq)) this.#ordered = false;
    this.#maxSeq = Math.max(this.#maxSeq, seq);
    // A rewrite (a longer attempt log) keeps the count, as the count is a record of its own on disk.
    const deliveryCount = this.entries.get(seq)?.deliveryCount;
    this.entries.set(seq, deliveryCount === undefined ? entry : { ...entry, deliveryCount });
  }

  deleteFrom(fromSeq: number): void {
    for (const seq of this.entries.keys()) if (seq >= fromSeq) this.entries.delete(seq);
  }

  read(fromSeq: number, limit: number): StoredMessage[] {
    if (!this.#ordered) {
      this.entries = new Map([...this.entries].sort((a, b) => a[0] - b[0]));
      this.#ordered = true;
    }
    const page: StoredMessage[] = [];
    for (const [seq, { message, deliveryCount }] of this.entries) {
      if (page.length >= limit) break;
      if (seq >= fromSeq) page.push(deliveryCount === undefined ? { seq, message } : { seq, message, deliveryCount });
    }
    return page;
  }
}

/** What survives a MemoryStore's "restart". Records are kept as JSON text, as a disk would. */
export class MemoryDisk {
  readonly exchanges = new Map<string, string>();
  readonly queues = new Map<string, string>();
  readonly bindings = new Map<string, string>();
  readonly policies = new Map<string, string>();
  readonly messages = new Map<string, MessageLog>();
  readonly scheduled = new Map<string, ScheduledRecord>();
  /** Delivery marks per queue id (putDeliveryMark). */
  readonly deliveryMarks = new Map<string, number>();
  /** Dedup ids per queue id: message id → when taken. */
  readonly dedupIds = new Map<string, Map<string, number>>();
  /** Record spaces (putRecord): id → JSON text. */
  readonly records = new Map<RecordSpace, Map<string, string>>();

  space(space: RecordSpace): Map<string, string> {
    let records = this.records.get(space);
    if (records === undefined) {
      records = new Map();
      this.records.set(space, records);
    }
    return records;
  }

  log(queueId: string): MessageLog {
    let log = this.messages.get(queueId);
    if (log === undefined) {
      log = new MessageLog();
      this.messages.set(queueId, log);
    }
    return log;
  }
}

type Write = (disk: MemoryDisk) => void;

export class MemoryStore implements Store {
  /** Writes of the open batch, whose handle is #commit; empty when no batch is open. */
  #pending: Write[] = [];
  #commit: PendingCommit | undefined;
  /** The handle of the last batch applied. */
  #lastDone: Commit = COMMITTED;
  #batches = 0;
  #messagesWritten = 0;
  #open = false;

  constructor(readonly disk: MemoryDisk = new MemoryDisk()) {}

  async open(): Promise<void> {
    this.#open = true;
  }

  async close(): Promise<void> {
    await this.#written();
    this.#open = false;
  }

  async loadTopology(): Promise<Topology> {
    const parse = <T>(texts: Map<string, string>): T[] => [...texts.values()].map((text) => JSON.parse(text) as T);
    return {
      exchanges: parse<ExchangeRecord>(this.disk.exchanges),
      queues: parse<QueueRecord>(this.disk.queues),
      bindings: parse<BindingRecord>(this.disk.bindings),
      policies: parse<PolicyRecord>(this.disk.policies),
    };
  }

  async recoverQueue(queue: QueueRecord): Promise<QueueRecovery> {
    let recovery: QueueRecovery = { count: 0, lastSeq: 0, deliveredUpTo: 0 };
    this.#write((disk) => {
      if (!queue.durable) disk.deliveryMarks.delete(queue.id);
      const log = disk.messages.get(queue.id);
      if (log === undefined) return;
      if (!queue.durable) {
        disk.messages.delete(queue.id);
        disk.dedupIds.delete(queue.id);
        return;
      }
      let lastSeq = 0;
      for (const [seq, entry] of log.entries) {
        if (!entry.durable) log.entries.delete(seq);
        else lastSeq = Math.max(lastSeq, seq);
      }
      recovery = { count: log.entries.size, lastSeq, deliveredUpTo: disk.deliveryMarks.get(queue.id) ?? 0 };
    });
    await this.#written();
    return recovery;
  }

  async dropQueuesExcept(keep: ReadonlySet<string>): Promise<void> {
    this.#write((disk) => {
      for (const queueId of disk.messages.keys()) if (!keep.has(queueId)) disk.messages.delete(queueId);
      for (const queueId of disk.dedupIds.keys()) if (!keep.has(queueId)) disk.dedupIds.delete(queueId);
      for (const queueId of disk.deliveryMarks.keys()) if (!keep.has(queueId)) disk.deliveryMarks.delete(queueId);
    });
    await this.#written();
  }

  putExchange(exchange: ExchangeRecord): void {
    const text = JSON.stringify(exchange);
    this.#write((disk) => disk.exchanges.set(nameKey(exchange.vhost, exchange.name), text));
  }

  deleteExchange(vhost: string, name: string): void {
    this.#write((disk) => disk.exchanges.delete(nameKey(vhost, name)));
  }

  putQueue(queue: QueueRecord): void {
    const text = JSON.stringify(queue);
    this.#write((disk) => disk.queues.set(nameKey(queue.vhost, queue.name), text));
  }

  deleteQueue(queue: QueueRecord): void {
    this.#write((disk) => {
      disk.queues.delete(nameKey(queue.vhost, queue.name));
      disk.messages.delete(queue.id);
      disk.dedupIds.delete(queue.id);
      disk.deliveryMarks.delete(queue.id);
    });
  }

  putBinding(binding: BindingRecord): void {
    const text = JSON.stringify(binding);
    this.#write((disk) => disk.bindings.set(bindingKey(binding), text));
  }

  deleteBinding(binding: BindingRecord): void {
    this.#write((disk) => disk.bindings.delete(bindingKey(binding)));
  }

  putPolicy(policy: PolicyRecord): void {
    const text = JSON.stringify(policy);
    this.#write((disk) => disk.policies.set(nameKey(policy.vhost, policy.name), text));
  }

  deletePolicy(vhost: string, name: string): void {
    this.#write((disk) => disk.policies.delete(nameKey(vhost, name)));
  }

  putScheduled(record: ScheduledRecord): void {
    this.#write((disk) => disk.scheduled.set(record.id, record));
  }

  deleteScheduled(id: string): void {
    this.#write((disk) => disk.scheduled.delete(id));
  }

  async loadScheduled(): Promise<ScheduledRecord[]> {
    let kept: ScheduledRecord[] = [];
    this.#write((disk) => {
      for (const [id, record] of disk.scheduled) if (!record.durable) disk.scheduled.delete(id);
      kept = [...disk.scheduled.values()];
    });
    await this.#written();
    return kept;
  }

  putDedupId(queueId: string, messageId: string, at: number): void {
    this.#write((disk) => {
      let ids = disk.dedupIds.get(queueId);
      if (ids === undefined) {
        ids = new Map();
        disk.dedupIds.set(queueId, ids);
      }
      ids.set(messageId, at);
    });
  }

  deleteDedupId(queueId: string, messageId: string): void {
    this.#write((disk) => disk.dedupIds.get(queueId)?.delete(messageId));
  }

  async loadDedupIds(queueId: string): Promise<DedupRecord[]> {
    return [...(this.disk.dedupIds.get(queueId) ?? [])].map(([id, at]) => ({ id, at }));
  }

  putMessage(queueId: string, seq: number, message: Message, durable: boolean): void {
    this.#messagesWritten++;
    this.#write((disk) => disk.log(queueId).put(seq, { message, durable }));
  }

  deleteMessage(queueId: string, seq: number): void {
    this.#write((disk) => disk.messages.get(queueId)?.entries.delete(seq));
  }

  putDeliveryCount(queueId: string, seq: number, count: number): void {
    this.#write((disk) => {
      const entry = disk.messages.get(queueId)?.entries.get(seq);
      if (entry !== undefined) entry.deliveryCount = count;
    });
  }

  putDeliveryMark(queueId: string, seq: number): void {
    this.#write((disk) => disk.deliveryMarks.set(queueId, seq));
  }

  purgeMessages(queueId: string, fromSeq = 0): void {
    this.#write((disk) => disk.messages.get(queueId)?.deleteFrom(fromSeq));
  }

  async readMessages(queueId: string, fromSeq: number, limit: number): Promise<StoredMessage[]> {
    return this.disk.messages.get(queueId)?.read(fromSeq, limit) ?? [];
  }

  putRecord(space: RecordSpace, id: string, value: object): void {
    const text = JSON.stringify(value);
    this.#write((disk) => disk.space(space).set(id, text));
  }

  deleteRecord(space: RecordSpace, id: string): void {
    this.#write((disk) => disk.space(space).delete(id));
  }

  trimRecords(space: RecordSpace, beforeId: string): void {
    this.#write((disk) => {
      const records = disk.space(space);
      for (const id of records.keys()) if (id < beforeId) records.delete(id);
    });
  }

  async readRecords(space: RecordSpace, options: { from?: string; limit: number; reverse?: boolean }): Promise<StoredRecord[]> {
    const { from, limit, reverse = false } = options;
    const ids = [...this.disk.space(space).keys()].sort();
    if (reverse) ids.reverse();
    const records = this.disk.space(space);
    return ids
      .filter((id) => from === undefined || (reverse ? id <= from : id >= from))
      .slice(0, Math.max(0, limit))
      .map((id) => ({ id, value: JSON.parse(records.get(id) as string) as unknown }));
  }

  commit(): Commit {
    return this.#commit ?? this.#lastDone;
  }

  stats(): StoreStats {
    return { batches: this.#batches, syncs: this.#batches, messagesWritten: this.#messagesWritten };
  }

  #write(write: Write): void {
    if (!this.#open) throw new Error('MemoryStore is not open');
    if (this.#commit === undefined) {
      this.#commit = new PendingCommit();
      void Promise.resolve().then(this.#flush);
    }
    this.#pending.push(write);
  }

  readonly #flush = (): void => {
    const writes = this.#pending;
    const commit = this.#commit as PendingCommit;
    this.#pending = [];
    this.#commit = undefined;
    for (const write of writes) write(this.disk);
    this.#batches++;
    this.#lastDone = commit;
    commit.settle();
  };

  #written(): Promise<void> {
    return new Promise((resolve) => this.commit().onSettled(() => resolve()));
  }
}

function nameKey(vhost: string, name: string): string {
  return JSON.stringify([vhost, name]);
}

function bindingKey(b: BindingRecord): string {
  return JSON.stringify([b.vhost, b.source, b.destinationType, b.destination, b.routingKey]) + canonicalJson(b.arguments);
}
