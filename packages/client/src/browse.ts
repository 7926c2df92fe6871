/**
 * Browsing a queue from the client: an async iterator over its ready messages (optionally
 * filtered), fetched a page per `queue.browse` request, so a long queue is never held at once.
 * Nothing is consumed: a browsed message cannot be acked and does not change the queue.
 */
import type { BrowseEntry, OkFrame, QueueBrowseFrame, QueueBrowseOk } from '@warren/protocol/wire';
import type { MessageFilter } from '@warren/protocol/http';
import { decodeText } from './body.js';
import { fromWireProperties, type Properties } from './properties.js';

export interface BrowseOptions {
  /** Only the messages that match: routing key (topic pattern), headers, body text, JSON path. */
  filter?: MessageFilter;
  /** Matching messages fetched per request, 1 to 1000 (default 100). */
  pageSize?: number;
}

/** A message as the queue holds it, read without consuming it. */
export class BrowsedMessage {
  readonly id: string;
  /** Its place in the queue: increases from head to tail. */
  readonly seq: number;
  readonly exchange: string;
  readonly routingKey: string;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
  readonly headers: Record<string, unknown>;
  readonly properties: Properties;
  readonly body: Uint8Array;

  constructor(entry: BrowseEntry) {
    this.id = entry.id;
    this.seq = entry.seq;
    this.exchange = entry.exchange;
    this.routingKey = entry.routing_key;
    this.redelivered = entry.redelivered;
    this.deliveryCount = entry.delivery_count;
    this.headers = entry.headers;
    this.properties = fromWireProperties(entry.properties);
    this.body = Uint8Array.from(atob(entry.body), (char) => char.charCodeAt(0));
  }

  text(): string {
    return decodeText(this.body);
  }

  /** The body parsed as JSON; the type parameter is the caller's claim, not a check. */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }
}

type BrowseRequest = (frame: Omit<QueueBrowseFrame, 'id'>) => Promise<OkFrame>;

export async function* browsePages(request: BrowseRequest, queue: string, options: BrowseOptions): AsyncGenerator<BrowsedMessage> {
  let after: number | undefined;
  for (;;) {
    const frame: Omit<QueueBrowseFrame, 'id'> = { type: 'queue.browse', queue, count: options.pageSize ?? 100 };
    if (options.filter !== undefined) frame.filter = options.filter;
    if (after !== undefined) frame.after = after;
    const page = (await request(frame)) as unknown as QueueBrowseOk;
    for (const entry of page.messages) yield new BrowsedMessage(entry);
    if (page.next === null) return;
    after = page.next;
  }
}
