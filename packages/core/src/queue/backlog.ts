/**
 * The ready messages of one queue, in seq order, of which only a bounded head lives in RAM.
 * Peak shaving is a main use of a broker, so a backlog may be far larger than memory: once the
 * RAM part passes its limits, new messages go to the store only ("paged out"), and pages are read
 * back as consumers drain the head. Invariant: every entry in RAM (ready or returned) has a lower
 * seq than every paged-out one, so reading pages in seq order keeps the queue's order exact.
 *
 * The backlog is part of the queue machine's state, so it never reads the store while a command
 * is applied: it asks for a page (the shell reads it, once the paged-out writes are applied) and
 * takes the page in when the shell applies the paged-in command that carries it.
 */
import type { QueueEntry } from '../message.js';
import type { Logger, Store, StoredMessage } from '../ports.js';
import { Deque } from './deque.js';
import { ReturnedList } from './returned-list.js';

export interface BacklogLimits {
  /** Ready messages kept in RAM before new ones are paged out. */
  maxRamMessages: number;
  /** Body bytes kept in RAM before new ones are paged out. */
  maxRamBytes: number;
  /** Messages read from the store in one page, at most. */
  pageSize: number;
}

export const DEFAULT_BACKLOG_LIMITS: BacklogLimits = {
  maxRamMessages: 100_000,
  maxRamBytes: 32 * 1024 * 1024,
  pageSize: 2_000,
};

/** A page the backlog wants read: `count` messages from seq `from`; `generation` tells a stale answer. */
export interface PageRequest {
  readonly from: number;
  readonly count: number;
  readonly generation: number;
}

export class Backlog {
  private readonly ram = new Deque<QueueEntry>();
  private readonly returned = new ReturnedList();
  private ramBytes = 0;
  /** Body bytes of every ready message, paged-out ones included (for x-max-length-bytes). */
  private totalBytes = 0;
  private diskCount = 0;
  /** Seq of the first paged-out message. */
  private diskFrom = 0;
  /** Seqs removed from the paged-out range that no page has passed yet (they are gone from the store). */
  private readonly removedPagedOut = new Set<number>();
  private loading = false;
  /** Running estimate of a paged-out body's size, to size pages by bytes. */
  private averageSize = 1024;
  /** Bumped by purge and removals so that a page read before them is thrown away. */
  private generation = 0;
  private pageWaiters: (() => void)[] = [];
  /** The delivery mark found at boot. */
  private deliveredUpTo = 0;
  /** Bumped by every change to which messages are ready (not by paging), so a reader can tell the set is unchanged. */
  changes = 0;

  constructor(
    private readonly queueId: string,
    private readonly store: Store,
    private readonly limits: BacklogLimits,
    private readonly logger: Logger,
    /** Asks the shell to read a page; it answers with a paged-in command (pagedIn). */
    private readonly readPage: (page: PageRequest) => void,
  ) {}

  get count(): number {
    return this.ram.length + this.returned.length + this.diskCount;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get ramCount(): number {
    return this.ram.length + this.returned.length;
  }

  /** True when the next message must go to the store only, to keep RAM bounded and order exact. */
  get mustPageOut(): boolean {
    return (
      this.diskCount > 0 || this.loading || this.ram.length >= this.limits.maxRamMessages || this.ramBytes >= this.limits.maxRamBytes
    );
  }

  push(entry: QueueEntry): void {
    this.changes++;
    const size = entry.message.body.length;
    this.ram.push(entry);
    this.ramBytes += size;
    this.totalBytes += size;
  }

  /** Records that the message with this seq went to the store only. */
  pushPagedOut(seq: number, size: number): void {
    this.changes++;
    if (this.diskCount === 0 && !this.loading) this.diskFrom = seq;
    this.diskCount++;
    this.totalBytes += size;
    this.averageSize += (size - this.averageSize) / 64;
  }

  /**
   * Called at boot: the queue's stored messages are all on disk; their sizes are learnt as pages
   * arrive. Those with seq <= `deliveredUpTo` may have been delivered once more than their
   * stored count says (delivery-record.ts).
   */
  recover(count: number, deliveredUpTo = 0): void {
    this.changes++;
    this.diskCount = count;
    this.diskFrom = 0;
    this.deliveredUpTo = deliveredUpTo;
  }

  returnEntry(entry: QueueEntry): void {
    this.changes++;
    this.returned.insert(entry);
    this.totalBytes += entry.message.body.length;
  }

  /**
   * The ready messages in RAM as they lie: those that came back (requeued, in seq order, served
   * first) and the rest in arrival order. A snapshot (queue-image.ts) keeps the two apart, as a
   * later requeue goes among the first ones only.
   */
  readyParts(): { returned: QueueEntry[]; ram: QueueEntry[] } {
    return { returned: [...this.returned], ram: [...this.ram] };
  }

  /** The next message to deliver, left in place; undefined when none is in RAM. */
  peekHead(): QueueEntry | undefined {
    return this.returned.peek() ?? this.ram.peek();
  }

  /** Takes the next message to deliver, or undefined when none is in RAM (a page may be on its way). */
  shift(): QueueEntry | undefined {
    let entry = this.returned.shift();
    if (entry === undefined) {
      entry = this.ram.shift();
      if (entry !== undefined) this.ramBytes -= entry.message.body.length;
    }
    if (entry !== undefined) {
      this.changes++;
      this.totalBytes = Math.max(0, this.totalBytes - entry.message.body.length);
    }
    this.maybePageIn();
    return entry;
  }

  /** Empties the backlog; returns the RAM entries (the caller deletes their stored copies) and the paged-out range. */
  purge(): { entries: QueueEntry[]; pagedOut: number; pagedFrom: number } {
    this.changes++;
    const entries = [...this.returned.clear(), ...this.ram.clear()];
    const result = { entries, pagedOut: this.diskCount, pagedFrom: this.diskFrom };
    this.ramBytes = 0;
    this.totalBytes = 0;
    this.diskCount = 0;
    this.removedPagedOut.clear();
    this.discardPageInFlight();
    return result;
  }

  /**
   * Removes the given entries wherever they are: RAM ones from the lists, paged-out ones by
   * counting them out (the caller deletes their stored copies, before any new page is read).
   */
  remove(entries: ReadonlySet<QueueEntry>, pagedOut: readonly QueueEntry[]): void {
    this.changes++;
    const keep = (list: QueueEntry[]) => list.filter((e) => !entries.has(e));
    const returned = keep(this.returned.clear());
    const ram = keep(this.ram.clear());
    for (const e of returned) this.returned.insert(e);
    for (const e of ram) this.ram.push(e);
    this.ramBytes = ram.reduce((sum, e) => sum + e.message.body.length, 0);
    for (const e of entries) this.totalBytes = Math.max(0, this.totalBytes - e.message.body.length);
    this.diskCount -= pagedOut.length;
    for (const e of pagedOut) {
      this.totalBytes = Math.max(0, this.totalBytes - e.message.body.length);
      this.removedPagedOut.add(e.seq);
    }
    if (pagedOut.length > 0) {
      this.discardPageInFlight();
      // The page discarded may have been the one consumers wait for: read it again, after the deletes.
      this.maybePageIn();
    }
  }

  /** Ready messages in queue order from `offset`, at most `count`, paged-out ones read from the store. */
  async peek(offset: number, count: number): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    let skip = offset;
    for (const entry of this.entriesInRam()) {
      if (out.length >= count) return out;
      if (skip > 0) skip--;
      else out.push(entry);
    }
    if (out.length >= count || this.diskCount === 0) return out;
    await this.writesApplied();
    const page = await this.store.readMessages(this.queueId, this.diskFrom, skip + count - out.length);
    for (const stored of page.slice(skip)) out.push(this.entryOf(stored));
    return out;
  }

  /**
   * Ready messages with a seq above `afterSeq`, in queue order, at most `count`: RAM first, then
   * one read from the store, of at most a page's bytes. A browse walks the queue with it page by
   * page, holding one page; only an empty answer means the end.
   */
  async readyAfter(afterSeq: number, count: number): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    for (const list of [this.returned, this.ram]) {
      for (let i = firstAfter(list, afterSeq); i < list.length && out.length < count; i++) out.push(list.at(i) as QueueEntry);
    }
    if (out.length >= count || this.diskCount === 0) return out;
    const from = Math.max(afterSeq + 1, this.diskFrom);
    await this.writesApplied();
    for (const { seq, message } of await this.store.readMessages(this.queueId, from, Math.min(count - out.length, this.pageLength()))) {
      out.push({ seq, message, redelivered: false, deliveryCount: 0, stored: true });
    }
    return out;
  }

  /** The ready entry in RAM with this seq, if there is one. */
  inRam(seq: number): QueueEntry | undefined {
    for (const list of [this.returned, this.ram]) {
      const entry = list.at(firstAfter(list, seq - 1));
      if (entry?.seq === seq) return entry;
    }
    return undefined;
  }

  /** Whether the message with this seq is paged out (not read back into RAM yet), if it is still in the queue at all. */
  mayBePagedOut(seq: number): boolean {
    return this.diskCount > 0 && seq >= this.diskFrom && !this.removedPagedOut.has(seq);
  }

  *entriesInRam(): IterableIterator<QueueEntry> {
    yield* this.returned;
    yield* this.ram;
  }

  /** Resolves once the next page is in RAM, or is given up (at once when nothing is paged out); asking for it is a command. */
  nextPage(): Promise<void> {
    if (this.diskCount === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.pageWaiters.push(resolve));
  }

  /**
   * Messages to read in one page: at most half the RAM limits, so that a page arriving while
   * the previous one is still in RAM keeps the queue within them. Sizes come from what was paged
   * out or read last.
   */
  private pageLength(): number {
    const { pageSize, maxRamMessages, maxRamBytes } = this.limits;
    const byBytes = Math.floor(maxRamBytes / 2 / Math.max(1, this.averageSize));
    return Math.max(1, Math.min(pageSize, Math.floor(maxRamMessages / 2), byBytes));
  }

  /** Asks for the next page when the RAM head runs low (or `force`), unless one is on its way. */
  maybePageIn(force = false): void {
    const page = this.pageLength();
    if (this.diskCount === 0 || this.loading || (!force && this.ram.length > page)) return;
    this.loading = true;
    this.readPage({ from: this.diskFrom, count: page, generation: this.generation });
  }

  /**
   * The page asked for arrived (`messages`), or could not be read (undefined). False when there
   * is nothing new to deliver: the read failed, or a purge or removal made the page stale.
   */
  pagedIn(generation: number, messages: readonly StoredMessage[] | undefined): boolean {
    if (generation !== this.generation) return false;
    this.loading = false;
    if (messages === undefined) {
      this.wakePageWaiters();
      return false;
    }
    let bytes = 0;
    for (const stored of messages) {
      this.ram.push(this.entryOf(stored));
      bytes += stored.message.body.length;
    }
    this.ramBytes += bytes;
    if (messages.length > 0) this.averageSize = bytes / messages.length;
    const last = messages[messages.length - 1];
    if (last === undefined) {
      this.logger.error({ queueId: this.queueId, expected: this.diskCount }, 'paged-out messages missing from the store');
      this.diskCount = 0;
      this.changes++;
    } else {
      this.diskCount -= messages.length;
      this.diskFrom = last.seq + 1;
      for (const seq of this.removedPagedOut) if (seq < this.diskFrom) this.removedPagedOut.delete(seq);
    }
    this.wakePageWaiters();
    return true;
  }

  /** Browsing reads the store outside any command: the paged-out writes queued so far must be applied first. */
  private writesApplied(): Promise<void> {
    return new Promise<void>((resolve) => this.store.commit().onSettled(() => resolve()));
  }

  /** A message read back from the store; one delivered before a restart comes back redelivered. */
  private entryOf({ seq, message, deliveryCount = 0 }: StoredMessage): QueueEntry {
    const count = deliveryCount + (seq <= this.deliveredUpTo ? 1 : 0);
    return { seq, message, redelivered: count > 0, deliveryCount: count, stored: true };
  }

  private discardPageInFlight(): void {
    this.loading = false;
    this.generation++;
    this.wakePageWaiters();
  }

  private wakePageWaiters(): void {
    const waiters = this.pageWaiters;
    this.pageWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** Index of the first entry with a seq above `seq`, in a list sorted by seq (both RAM lists are). */
function firstAfter(list: { readonly length: number; at(index: number): QueueEntry | undefined }, seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list.at(mid) as QueueEntry).seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
