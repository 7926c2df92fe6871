/** Queues over the management API: list (paged, sorted, searched), one queue, declare, delete, purge, bindings. */
import type { EffectiveArguments, QueueView } from '@warren/protocol';
import { api, enc, objectPath, type MessageStats, type Paged } from './http.js';

/** The view, plus RabbitMQ's fields where the broker gives them (read defensively: older brokers lack them). */
export type QueueRow = QueueView & {
  message_stats?: MessageStats;
  state?: string;
  node?: string;
  message_bytes?: number;
  consumer_utilisation?: number | null;
  idle_since?: string;
};

export type QueueDetail = QueueRow & { effective_arguments?: EffectiveArguments };

export interface QueueListQuery {
  page: number;
  pageSize: number;
  name: string;
  regex: boolean;
  sort: string;
  reverse: boolean;
}

/** A vhost's queue list as RabbitMQ's UI asks for it: its paging, search and sort parameters. */
export function queueListPath(vhost: string, q: QueueListQuery): string {
  const params = new URLSearchParams({
    page: String(q.page),
    page_size: String(q.pageSize),
    name: q.name,
    use_regex: String(q.regex),
    sort: q.sort,
    sort_reverse: String(q.reverse),
  });
  return `/api/queues/${enc(vhost)}?${params}`;
}

/**
 * A broker that does not page yet answers the whole array; the same paging, search and sort are
 * then applied here, so the page behaves the same against either.
 */
export function toPage(answer: QueueRow[] | Paged<QueueRow>, q: QueueListQuery): Paged<QueueRow> {
  if (!Array.isArray(answer)) return answer;
  let match: (name: string) => boolean = (n) => n.includes(q.name);
  if (q.regex && q.name !== '') {
    try {
      const re = new RegExp(q.name);
      match = (n) => re.test(n);
    } catch {
      match = () => false;
    }
  }
  const filtered = answer.filter((row) => match(row.name));
  const key = q.sort as keyof QueueRow;
  filtered.sort((a, b) => {
    const x = a[key] ?? '';
    const y = b[key] ?? '';
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return q.reverse ? -order : order;
  });
  const start = (q.page - 1) * q.pageSize;
  return {
    items: filtered.slice(start, start + q.pageSize),
    page: q.page,
    page_size: q.pageSize,
    page_count: Math.max(1, Math.ceil(filtered.length / q.pageSize)),
    item_count: Math.min(q.pageSize, Math.max(0, filtered.length - start)),
    filtered_count: filtered.length,
    total_count: answer.length,
  };
}

export const queuePath = (vhost: string, name: string): string => objectPath('queues', vhost, name);

export interface QueueDeclare {
  durable: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
}

export const declareQueue = (vhost: string, name: string, body: QueueDeclare) => api<void>('PUT', queuePath(vhost, name), body);
export const deleteQueue = (vhost: string, name: string) => api<void>('DELETE', queuePath(vhost, name));
export const purgeQueue = (vhost: string, name: string) => api<void>('DELETE', `${queuePath(vhost, name)}/contents`);

export const bindQueue = (vhost: string, exchange: string, queue: string, routingKey: string) =>
  api<void>('POST', `/api/bindings/${enc(vhost)}/e/${enc(exchange)}/q/${enc(queue)}`, { routing_key: routingKey, arguments: {} });
