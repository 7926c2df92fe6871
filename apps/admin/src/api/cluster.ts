/** Overview, nodes, vhosts, connections and consumers: RabbitMQ's shapes, where the broker gives them. */
import { api, enc, type MessageStats } from './http.js';

export interface Overview {
  product_name: string;
  product_version: string;
  node: string;
  object_totals: { connections: number; queues: number; exchanges?: number; consumers?: number };
  queue_totals: { messages_ready: number; messages?: number; messages_unacknowledged?: number };
  message_stats?: MessageStats;
  mem_alarm?: boolean;
  disk_free_alarm?: boolean;
  mem_used?: number;
  mem_limit?: number;
  disk_free?: number;
  disk_free_limit?: number;
  memory?: Record<string, number>;
  scheduled?: { pending: number; fired: number };
}

export interface NodeRow {
  name: string;
  running?: boolean;
  uptime?: number;
  mem_used?: number;
  mem_limit?: number;
  mem_alarm?: boolean;
  disk_free?: number;
  disk_free_limit?: number;
  disk_free_alarm?: boolean;
}

export interface ConnectionRow {
  name: string;
  user?: string;
  peer_host?: string;
  peer_port?: number;
  connected_at?: number;
  state?: string;
  channels?: number;
  recv_oct_details?: { rate: number };
  send_oct_details?: { rate: number };
  client_properties?: Record<string, unknown>;
}

export interface ConsumerRow {
  consumer_tag: string;
  queue: { name: string; vhost: string };
  channel_details?: { connection_name?: string; name?: string };
  ack_required?: boolean;
  prefetch_count?: number;
  active?: boolean;
  messages_unacknowledged?: number;
}

export const closeConnection = (name: string, reason: string) =>
  fetch(`/api/connections/${enc(name)}`, { method: 'DELETE', headers: { 'x-reason': reason } }).then(async (r) => {
    if (!r.ok) throw new Error(`${r.status}: ${await r.text()}`);
  });

export const vhostsPath = '/api/vhosts';
export const listVhosts = () => api<{ name: string }[]>('GET', vhostsPath);
