/** Exchanges and bindings over the management API: declare, delete, publish, the routing dry run. */
import type { BindingView, ExchangeView } from '@warren/protocol';
import { api, enc, objectPath, type MessageStats } from './http.js';

export type ExchangeRow = ExchangeView & { message_stats?: MessageStats };

export const exchangePath = (vhost: string, name: string): string => objectPath('exchanges', vhost, name);
export const bindingsPath = (vhost: string): string => `/api/bindings/${enc(vhost)}`;

export const declareExchange = (vhost: string, name: string, type: string) =>
  api<void>('PUT', exchangePath(vhost, name), { type, durable: true, auto_delete: false, internal: false, arguments: {} });
export const deleteExchange = (vhost: string, name: string) => api<void>('DELETE', exchangePath(vhost, name));

export function deleteBinding(b: BindingView): Promise<void> {
  const kind = b.destination_type === 'queue' ? 'q' : 'e';
  // RabbitMQ's properties key: the routing key, `~` for an empty one (no arguments here).
  const props = b.routing_key === '' ? '~' : enc(b.routing_key);
  return api<void>('DELETE', `/api/bindings/${enc(b.vhost)}/e/${enc(b.source)}/${kind}/${enc(b.destination)}/${props}`);
}

export interface PublishRequest {
  routing_key: string;
  payload: string;
  payload_encoding: 'string' | 'base64';
  properties: { headers?: Record<string, unknown>; content_type?: string; delivery_mode?: number };
}

export const publish = (vhost: string, exchange: string, body: PublishRequest) =>
  api<{ routed: boolean }>('POST', `${exchangePath(vhost, exchange)}/publish`, body);

export interface RouteStep {
  exchange: string;
  binding_key?: string;
  alternate_exchange?: string;
}

export interface RouteResult {
  routed: boolean;
  queues: { vhost: string; name: string; path: RouteStep[] }[];
  alternate?: { exchange: string; alternate_exchange: string; exists: boolean }[];
}

export const routeDryRun = (vhost: string, exchange: string, routingKey: string, headers?: Record<string, unknown>) =>
  api<RouteResult>('POST', `${exchangePath(vhost, exchange)}/route`, headers === undefined ? { routing_key: routingKey } : { routing_key: routingKey, headers });
