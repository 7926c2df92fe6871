/**
 * Redrive: moving ready messages of a (dead-letter) queue back to the queue they last died in
 * (from x-death), or to a chosen exchange. A move writes the message to its target and deletes
 * it from the source in the same synchronous step, so both land in one store batch and a crash
 * leaves it in exactly one place. Messages with nowhere to go stay where they are. This file
 * holds the move itself, the plan a dry run answers and the redrive of chosen ids; a long,
 * filtered, paced redrive runs as a job (redrive-job.ts).
 */
import type { RedriveFilter } from '@warren/protocol';
import { deathsOf } from './dead-letter.js';
import type { Message, QueueEntry } from './message.js';
import { compileFilter } from './message-filter.js';
import type { MessagePaths } from './message-paths.js';
import type { Queue } from './queue/queue.js';

/** Where redriven messages go: undefined for their origin (x-death), else an exchange. */
export type RedriveTarget = { exchange: string; routingKey?: string } | undefined;

export interface RedriveOptions {
  to?: RedriveTarget;
  ids: string[];
}

export interface RedriveResult {
  moved: number;
  skipped: number;
}

/** Where one group of matching messages would go: a queue (origin), an exchange, or nowhere (null). */
export interface RedriveGroup {
  to: { queue: string } | { exchange: string; routing_key?: string } | null;
  count: number;
}

export interface RedrivePlan {
  matched: number;
  groups: RedriveGroup[];
}

const SCAN_PAGE = 1000;

/** Moves one message; false when it has nowhere to go (it then stays in the source). */
export function moveMessage(source: Queue, paths: MessagePaths, message: Message, to: RedriveTarget): boolean {
  // Back to its origin only if that is another queue: redriving a queue into itself never ends.
  if (to === undefined && deathsOf(message)[0]?.queue === source.name) return false;
  return paths.redrive(message, to);
}

/**
 * Moves the entries of `source` that are still ready: each that has somewhere to go, then
 * removes those from the source, in one synchronous step (one store batch).
 */
export function moveEntries(source: Queue, paths: MessagePaths, entries: QueueEntry[], to: RedriveTarget): RedriveResult {
  const ready = source.stillReady(entries);
  const moved = ready.filter((entry) => moveMessage(source, paths, entry.message, to));
  source.remove(moved);
  return { moved: moved.length, skipped: ready.length - moved.length };
}

/** The ready messages whose id is in `ids`, moved; the queue is read a page at a time. */
export async function redrive(source: Queue, paths: MessagePaths, options: RedriveOptions): Promise<RedriveResult> {
  const wanted = new Set(options.ids);
  const result: RedriveResult = { moved: 0, skipped: 0 };
  await scan(source, (page) => {
    const chosen = page.filter((e) => wanted.delete(e.message.id));
    const { moved, skipped } = moveEntries(source, paths, chosen, options.to);
    result.moved += moved;
    result.skipped += skipped;
    return wanted.size > 0;
  });
  return result;
}

/** What a redrive would do, changing nothing: how many messages match, and where each group would go. */
export async function planRedrive(
  source: Queue,
  hasQueue: (name: string) => boolean,
  filter: RedriveFilter | undefined,
  to: RedriveTarget,
  count = Infinity,
): Promise<RedrivePlan> {
  const matches = compileFilter(filter);
  const groups = new Map<string, RedriveGroup>();
  let matched = 0;
  await scan(source, (page) => {
    for (const entry of page) {
      if (matched >= count) return false;
      if (!matches(entry.message)) continue;
      matched++;
      const where = destinationOf(source, hasQueue, entry.message, to);
      const key = JSON.stringify(where);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { to: where, count: 1 });
      else group.count++;
    }
    return true;
  });
  return { matched, groups: [...groups.values()] };
}

function destinationOf(source: Queue, hasQueue: (name: string) => boolean, message: Message, to: RedriveTarget): RedriveGroup['to'] {
  if (to !== undefined) return to.routingKey === undefined ? { exchange: to.exchange } : { exchange: to.exchange, routing_key: to.routingKey };
  const origin = deathsOf(message)[0]?.queue;
  return origin === undefined || origin === source.name || !hasQueue(origin) ? null : { queue: origin };
}

/** Calls `visit` with each page of ready messages, head to tail, until it returns false or the queue ends. */
async function scan(queue: Queue, visit: (page: QueueEntry[]) => boolean | void): Promise<void> {
  let cursor = 0;
  while (!queue.deleted) {
    const page = await queue.readyAfter(cursor, SCAN_PAGE);
    if (page.length === 0 || visit(page) === false) return;
    cursor = (page[page.length - 1] as QueueEntry).seq;
  }
}
