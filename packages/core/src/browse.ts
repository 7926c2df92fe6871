/**
 * Browsing a queue: its ready messages in queue order, optionally filtered, read a page at a
 * time (RAM first, then the store) so that searching a queue far larger than memory holds one
 * page, never the queue. Nothing is taken, reordered or marked: browsing is read-only (the
 * entries it hands out must not be changed by the caller). Answering is the server's job.
 */
import type { RedriveFilter } from '@warren/protocol';
import { compileFilter } from './message-filter.js';
import type { QueueEntry } from './message.js';
import type { Clock } from './ports.js';
import type { Queue } from './queue/queue.js';

export interface BrowseOptions {
  /** Matching messages to skip first. */
  offset?: number;
  /** Matching messages to return at most. */
  count: number;
  filter?: RedriveFilter;
  /** Continue after this seq (the `next` of an earlier page) instead of from the head. */
  after?: number;
  /** Messages read per step, matching or not. */
  pageSize?: number;
}

export interface BrowsedEntry {
  entry: QueueEntry;
  /** Place in the queue from its head (0-based); known only when browsing from the head. */
  position: number | undefined;
}

export interface BrowsePage {
  entries: BrowsedEntry[];
  /** The seq to continue after, or undefined when the queue's end was reached. */
  next: number | undefined;
}

const DEFAULT_BROWSE_PAGE = 1000;

/** Throws WarrenError `invalid_argument` for a malformed filter (a bad JSON path) before reading anything. */
export async function browse(queue: Queue, options: BrowseOptions, clock: Clock): Promise<BrowsePage> {
  const matches = compileFilter(options.filter);
  const pageSize = options.pageSize ?? DEFAULT_BROWSE_PAGE;
  let skip = options.offset ?? 0;
  let cursor = options.after ?? 0;
  let position = options.after === undefined ? 0 : undefined;
  const entries: BrowsedEntry[] = [];
  while (!queue.deleted) {
    const page = await queue.readyAfter(cursor, pageSize);
    if (page.length === 0) break;
    for (const entry of page) {
      cursor = entry.seq;
      if (matches(entry.message)) {
        if (skip > 0) skip--;
        else entries.push({ entry, position });
      }
      if (position !== undefined) position++;
      if (entries.length >= options.count) return { entries, next: cursor };
    }
    // Lets deliveries and requests run between pages of a long search.
    await new Promise<void>((resolve) => clock.setTimer(0, resolve));
  }
  return { entries, next: undefined };
}
