/**
 * One vhost's window on the scheduler: list its waiting messages (filtered, in due order, a page
 * at a time), cancel one, or move one to a new due time. A record of another vhost is as unknown
 * as a missing one. Durability is the scheduler's (it writes every change to the store); the
 * caller waits for the store's commit before it answers. Query parsing is the adapters' job.
 */
import { WarrenError } from '@warren/protocol';
import type { ScheduledRecord } from './ports.js';
import type { Scheduler } from './scheduler.js';

export interface ScheduledQuery {
  /** Only retries going back to this queue. */
  queue?: string;
  /** Only delayed publishes going to this exchange. */
  exchange?: string;
  /** 1-based. */
  page: number;
  pageSize: number;
}

export interface ScheduledPage {
  /** The page's records, earliest due first (ties in the order scheduled). */
  items: ScheduledRecord[];
  page: number;
  pageSize: number;
  /** Pages the filtered records fill (at least 1). */
  pageCount: number;
  /** Records that match the filter. */
  filtered: number;
  /** Records waiting in the vhost. */
  total: number;
}

export class ScheduledMessages {
  constructor(
    private readonly vhost: string,
    private readonly scheduler: Scheduler,
  ) {}

  list(query: ScheduledQuery): ScheduledPage {
    if (query.queue !== undefined && query.exchange !== undefined) {
      throw new WarrenError('invalid_argument', "filter by 'queue' (retries) or by 'exchange' (delayed publishes), not both");
    }
    let total = 0;
    let filtered = 0;
    for (const record of this.scheduler.records()) {
      if (record.vhost !== this.vhost) continue;
      total++;
      if (matchesQuery(record, query)) filtered++;
    }
    // Walking the heap in due order costs O(log n) per record passed, not a sort of them all:
    // the first pages of 100,000 records take a few ms.
    const from = (query.page - 1) * query.pageSize;
    const items: ScheduledRecord[] = [];
    let seen = 0;
    if (from < filtered) {
      for (const record of this.scheduler.inDueOrder()) {
        if (record.vhost !== this.vhost || !matchesQuery(record, query)) continue;
        if (seen++ >= from) items.push(record);
        if (items.length === query.pageSize || seen === filtered) break;
      }
    }
    return {
      items,
      page: query.page,
      pageSize: query.pageSize,
      pageCount: Math.max(1, Math.ceil(filtered / query.pageSize)),
      filtered,
      total,
    };
  }

  /** Drops the message; throws `scheduled_not_found` when no such message waits in this vhost. */
  cancel(id: string): ScheduledRecord {
    this.require(id);
    return this.scheduler.cancel(id)!;
  }

  /** Moves the message to `due` (ms since the epoch; a time already past fires it now). */
  reschedule(id: string, due: number): ScheduledRecord {
    if (!Number.isFinite(due)) throw new WarrenError('invalid_argument', `due = ${due}: must be a time in ms since the epoch`);
    this.require(id);
    return this.scheduler.reschedule(id, due)!;
  }

  private require(id: string): void {
    if (this.scheduler.get(id)?.vhost !== this.vhost) {
      throw new WarrenError('scheduled_not_found', `no scheduled message '${id}' in vhost '${this.vhost}' (it may have fired already)`);
    }
  }
}

function matchesQuery(record: ScheduledRecord, query: ScheduledQuery): boolean {
  if (query.queue !== undefined) return record.kind === 'retry' && record.queue === query.queue;
  if (query.exchange !== undefined) return record.kind === 'delay' && record.exchange === query.exchange;
  return true;
}
