/**
 * Dead-lettered messages grouped by why they died: the reason and queue of their newest `x-death`
 * entry and the error of their last attempt (`x-warren-attempts`), with exact counts over the
 * whole queue. The queue is read a page at a time, as browse and redrive read it, so memory holds
 * one page and the groups, never the queue; the number of groups kept is bounded too (messages of
 * further groups are counted, not grouped). Which queues hold dead letters: deadLetterQueues().
 */
import type { RedriveFilter } from '@warren/protocol';
import { deathsOf, type DeathReason } from './dead-letter.js';
import { lastErrorOf } from './message-filter.js';
import type { Message } from './message.js';
import type { Clock } from './ports.js';
import type { Queue } from './queue/queue.js';
import type { VHost } from './vhost.js';

export interface FailureGroup {
  /** The dead-letter queue holding the messages. */
  queue: string;
  /** null: the message has no `x-death` (it was published to the queue, not dead-lettered). */
  reason: string | null;
  sourceQueue: string | null;
  lastError: string | null;
  count: number;
  /** When the oldest and newest of them died (ms since the epoch; the publish time without `x-death`). */
  oldest: number;
  newest: number;
  /** The filter that selects exactly this group for browse and redrive; null when none can (no `x-death`, or one a publisher made up). */
  filter: RedriveFilter | null;
}

export interface FailureSummary {
  groups: FailureGroup[];
  /** Ready messages read. */
  scanned: number;
  /** Messages of groups beyond `maxGroups`, counted but not grouped. */
  ungrouped: number;
}

const SCAN_PAGE = 1000;
const REASONS: ReadonlySet<string> = new Set<DeathReason>(['rejected', 'expired', 'maxlen', 'delivery_limit', 'retries_exhausted']);
const isDeathReason = (reason: string): reason is DeathReason => REASONS.has(reason);

/**
 * Groups the ready messages of each queue: biggest group first, then the one that failed most
 * recently. At most `maxGroups` in all; the messages of the rest are counted as ungrouped.
 */
export async function groupFailures(queues: Queue[], maxGroups: number, clock: Clock, cache?: FailureScans): Promise<FailureSummary> {
  const summaries: FailureSummary[] = [];
  // One queue after the other: memory holds one page at a time, however many queues there are.
  for (const queue of queues) summaries.push(await (cache === undefined ? scanQueue(queue, maxGroups, clock) : cache.scan(queue, maxGroups, clock)));
  const all = summaries.flatMap((s) => s.groups).sort((a, b) => b.count - a.count || b.newest - a.newest);
  const groups = all.slice(0, maxGroups);
  const dropped = all.slice(maxGroups).reduce((sum, g) => sum + g.count, 0);
  return {
    groups,
    scanned: summaries.reduce((sum, s) => sum + s.scanned, 0),
    ungrouped: summaries.reduce((sum, s) => sum + s.ungrouped, dropped),
  };
}

/**
 * The last scan of each queue, kept while its ready messages are the same ones (its
 * readyVersion): an idle dead-letter queue, however deep, is read once, not once per look (the
 * admin UI follows the groups live). Requests during a scan share it.
 */
export class FailureScans {
  private readonly scans = new WeakMap<Queue, { version: number; maxGroups: number; summary: Promise<FailureSummary> }>();

  scan(queue: Queue, maxGroups: number, clock: Clock): Promise<FailureSummary> {
    const known = this.scans.get(queue);
    if (known !== undefined && known.version === queue.readyVersion && known.maxGroups === maxGroups) return known.summary;
    const summary = scanQueue(queue, maxGroups, clock);
    this.scans.set(queue, { version: queue.readyVersion, maxGroups, summary });
    // A failed scan is not kept: the next look tries again.
    summary.catch(() => this.scans.delete(queue));
    return summary;
  }
}

/** One queue's groups, at most `maxGroups` (the first ones met); the queue is read a page at a time. */
async function scanQueue(queue: Queue, maxGroups: number, clock: Clock): Promise<FailureSummary> {
  const groups = new Map<string, FailureGroup>();
  const summary: FailureSummary = { groups: [], scanned: 0, ungrouped: 0 };
  let cursor = 0;
  while (!queue.deleted) {
    const page = await queue.readyAfter(cursor, SCAN_PAGE);
    if (page.length === 0) break;
    for (const entry of page) {
      cursor = entry.seq;
      summary.scanned++;
      if (!count(groups, queue.name, entry.message, maxGroups)) summary.ungrouped++;
    }
    // Lets deliveries and requests run between pages of a long scan.
    await new Promise<void>((resolve) => clock.setTimer(0, resolve));
  }
  summary.groups = [...groups.values()];
  return summary;
}

/** Adds one message to its group; false when that group is new and there is no room for it. */
function count(groups: Map<string, FailureGroup>, queue: string, message: Message, maxGroups: number): boolean {
  const death = deathsOf(message)[0];
  const reason = typeof death?.reason === 'string' ? death.reason : null;
  const sourceQueue = typeof death?.queue === 'string' ? death.queue : null;
  const lastError = lastErrorOf(message);
  const at = typeof death?.time === 'number' ? death.time * 1000 : message.publishedAt;
  const key = JSON.stringify([queue, reason, sourceQueue, lastError]);
  const group = groups.get(key);
  if (group !== undefined) {
    group.count++;
    if (at < group.oldest) group.oldest = at;
    if (at > group.newest) group.newest = at;
    return true;
  }
  if (groups.size >= maxGroups) return false;
  const filter = reason === null || !isDeathReason(reason) || sourceQueue === null ? null : { reason, source_queue: sourceQueue, last_error: lastError };
  groups.set(key, { queue, reason, sourceQueue, lastError, count: 1, oldest: at, newest: at, filter });
  return true;
}

/**
 * The queues a vhost's queues dead-letter into: bound to a queue's dead-letter exchange, or named
 * by the dead-letter routing key when that exchange is the default one. Sorted by name.
 */
export function deadLetterQueues(vhost: VHost): Queue[] {
  const found = new Map<string, Queue>();
  for (const queue of vhost.queues.values()) {
    const { deadLetterExchange, deadLetterRoutingKey } = queue.settings;
    if (deadLetterExchange === undefined) continue;
    if (deadLetterExchange === '') {
      const target = deadLetterRoutingKey === undefined ? undefined : vhost.queue(deadLetterRoutingKey);
      if (target !== undefined) found.set(target.name, target);
      continue;
    }
    const exchange = vhost.exchange(deadLetterExchange);
    if (exchange === undefined) continue;
    for (const binding of exchange.router.bindings()) {
      const target = vhost.queue(binding.destination.name);
      if (target !== undefined && target === binding.destination) found.set(target.name, target);
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
