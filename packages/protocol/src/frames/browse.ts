/**
 * Browse family (Warren): reading a queue's ready messages without consuming, reordering or
 * marking them, a page per request. A page ends with `next`, the seq to continue after; a filter
 * is the management API's (http/filter.ts), so both paths search alike.
 */
import { MESSAGE_FILTER_SCHEMA, type MessageFilter } from '../http/filter.js';
import { QUEUE_NAME, request, uint, type JsonSchema } from './schema.js';

export const MAX_BROWSE_COUNT = 1000;

export interface QueueBrowseFrame {
  type: 'queue.browse';
  id: number;
  queue: string;
  filter?: MessageFilter;
  /** Continue after this seq (the previous page's `next`); default: from the head. */
  after?: number;
  /** Matching messages per page, 1 to 1000; default 100. */
  count?: number;
}

/** One message of a page, as the queue holds it. */
export interface BrowseEntry {
  id: string;
  seq: number;
  exchange: string;
  routing_key: string;
  redelivered: boolean;
  delivery_count: number;
  /** AMQP basic properties, snake_case, as in `deliver`. */
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
  /** The body, base64. */
  body: string;
}

/** Reply to queue.browse (an `ok` frame). */
export interface QueueBrowseOk {
  messages: BrowseEntry[];
  /** The seq to pass as `after` for the next page; null once the queue's end was reached. */
  next: number | null;
}

export const browseSchemas: Record<string, JsonSchema> = {
  'queue.browse': request(
    'queue.browse',
    { queue: QUEUE_NAME, filter: MESSAGE_FILTER_SCHEMA, after: uint, count: { type: 'integer', minimum: 1, maximum: MAX_BROWSE_COUNT } },
    ['queue'],
  ),
};
