/** Queue family: declare, bind, unbind, purge, delete. */
import { bool, EXCHANGE_NAME, QUEUE_NAME, request, ROUTING_KEY, table, type JsonSchema } from './schema.js';

export interface QueueDeclareFrame {
  type: 'queue.declare';
  id: number;
  /** Empty asks the broker to name the queue. */
  queue: string;
  durable?: boolean;
  exclusive?: boolean;
  auto_delete?: boolean;
  passive?: boolean;
  arguments?: Record<string, unknown>;
}

/** Reply to queue.declare (an `ok` frame). */
export interface QueueDeclareOk {
  queue: string;
  message_count: number;
  consumer_count: number;
}

export interface QueueBindFrame {
  type: 'queue.bind' | 'queue.unbind';
  id: number;
  queue: string;
  exchange: string;
  routing_key?: string;
  arguments?: Record<string, unknown>;
}

export interface QueuePurgeFrame {
  type: 'queue.purge';
  id: number;
  queue: string;
}

export interface QueueDeleteFrame {
  type: 'queue.delete';
  id: number;
  queue: string;
  if_unused?: boolean;
  if_empty?: boolean;
}

/** Reply to queue.purge and queue.delete: how many messages went. */
export interface MessageCountOk {
  message_count: number;
}

const bindFields = { queue: QUEUE_NAME, exchange: EXCHANGE_NAME, routing_key: ROUTING_KEY, arguments: table };

export const queueSchemas: Record<string, JsonSchema> = {
  'queue.declare': request(
    'queue.declare',
    { queue: QUEUE_NAME, durable: bool, exclusive: bool, auto_delete: bool, passive: bool, arguments: table },
    ['queue'],
  ),
  'queue.bind': request('queue.bind', bindFields, ['queue', 'exchange']),
  'queue.unbind': request('queue.unbind', bindFields, ['queue', 'exchange']),
  'queue.purge': request('queue.purge', { queue: QUEUE_NAME }, ['queue']),
  'queue.delete': request('queue.delete', { queue: QUEUE_NAME, if_unused: bool, if_empty: bool }, ['queue']),
};
