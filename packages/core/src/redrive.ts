/**
 * Redrive: moving the ready messages of a dead-letter queue back to the queue they last died
 * in (from x-death), or to a chosen exchange. Each move writes the message to its target and
 * deletes it from the source in the same store batch, so a crash leaves it in exactly one place;
 * every REDRIVE_SLICE moves the redrive waits for the store, so progress is durable as it goes
 * and a long redrive does not hold the event loop. Messages with nowhere to go stay, in order.
 */
import { deathsOf } from './dead-letter.js';
import type { QueueEntry } from './message.js';
import type { MessagePaths } from './message-paths.js';
import type { Queue } from './queue/queue.js';

export interface RedriveOptions {
  to?: { exchange: string; routingKey?: string };
  count?: number;
  ids?: string[];
}

export interface RedriveResult {
  moved: number;
  skipped: number;
}

const REDRIVE_SLICE = 256;

export async function redrive(source: Queue, paths: MessagePaths, options: RedriveOptions, written: () => Promise<void>): Promise<RedriveResult> {
  // Back to its origin only if that is another queue: redriving a queue into itself never ends.
  const move = (entry: QueueEntry) =>
    (options.to !== undefined || deathsOf(entry.message)[0]?.queue !== source.name) && paths.redrive(entry.message, options.to);

  if (options.ids !== undefined) {
    const wanted = new Set(options.ids);
    const entries = (await source.peek(0, source.messageCount)).filter((e) => wanted.has(e.message.id));
    const moved = entries.filter(move);
    source.remove(moved);
    return { moved: moved.length, skipped: entries.length - moved.length };
  }

  const limit = options.count ?? Number.POSITIVE_INFINITY;
  const held: QueueEntry[] = [];
  let moved = 0;
  try {
    while (moved < limit && !source.deleted) {
      const entry = source.shiftReady();
      if (entry === undefined) {
        if (source.messageCount === 0) break;
        await source.pageIn();
        continue;
      }
      if (!move(entry)) {
        held.push(entry);
        continue;
      }
      source.drop(entry);
      moved++;
      if (moved % REDRIVE_SLICE === 0) await written();
    }
  } finally {
    for (const entry of held) source.putBack(entry);
  }
  return { moved, skipped: held.length };
}
