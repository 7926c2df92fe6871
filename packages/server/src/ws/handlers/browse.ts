/**
 * queue.browse: one page of a queue's ready messages, optionally filtered, read without changing
 * anything (the core's browse). The reply carries the seq to continue after, so a client walks a
 * long queue page by page without the broker keeping any state between requests.
 */
import { WarrenError, type BrowseEntry, type QueueBrowseFrame } from '@warren/protocol';
import { browse, type QueueEntry } from '@warren/core';
import type { Session } from '../session.js';
import { withContext } from './context.js';

const DEFAULT_COUNT = 100;

export function handleBrowseQueue(session: Session, frame: QueueBrowseFrame): void {
  const queue = withContext({ id: frame.id }, () => {
    const found = session.vhost!.queue(frame.queue);
    if (found === undefined) throw new WarrenError('queue_not_found', `no queue '${frame.queue}' in vhost '${session.vhost!.name}'`);
    // AMQP 0-9-1 §1.7.2.1: an exclusive queue "may only be accessed by the current connection".
    if (found.record.exclusive && found.record.owner !== session.id) {
      throw new WarrenError('resource_locked', `queue '${frame.queue}' is exclusive to another connection`);
    }
    return found;
  });
  const options = { count: frame.count ?? DEFAULT_COUNT, filter: frame.filter, after: frame.after };
  browse(queue, options, session.broker.clock).then(
    (page) => session.reply(frame.id, { messages: page.entries.map(({ entry }) => browseEntry(entry)), next: page.next ?? null }),
    (error: unknown) => session.reportError(error instanceof WarrenError ? new WarrenError(error.code, error.message, { context: { id: frame.id } }) : error),
  );
}

function browseEntry(entry: QueueEntry): BrowseEntry {
  const m = entry.message;
  return {
    id: m.id,
    seq: entry.seq,
    exchange: m.exchange,
    routing_key: m.routingKey,
    redelivered: entry.redelivered,
    delivery_count: entry.deliveryCount,
    properties: { ...m.properties },
    headers: m.headers ?? {},
    body: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength).toString('base64'),
  };
}
