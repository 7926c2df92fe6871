/** Browsing a queue without consuming (peek, with the API's filters) and redriving dead letters. */
import type { BrowsedMessage } from '@warren/protocol';
import { api } from './http.js';
import { queuePath } from './queues.js';

/** The broker's own type for what `…/get` answers. */
export type { BrowsedMessage };

export interface BrowseFilter {
  routing_key?: string;
  headers?: Record<string, unknown>;
  body_contains?: string;
  json_path?: string;
  equals?: unknown;
}

export const browse = (vhost: string, queue: string, count: number, offset: number, filter?: BrowseFilter) =>
  api<BrowsedMessage[]>('POST', `${queuePath(vhost, queue)}/get`, {
    count,
    mode: 'peek',
    offset,
    encoding: 'auto',
    ...(filter === undefined ? {} : { filter }),
  });

export interface RedriveFilter extends BrowseFilter {
  reason?: string;
  source_queue?: string;
  /** The error of the message's last failed attempt; null: it gave none. */
  last_error?: string | null;
}

export interface RedriveDryRun {
  dry_run: true;
  matched: number;
  groups: { to: { queue: string } | { exchange: string; routing_key: string } | null; count: number }[];
}

export interface RedriveJob {
  id: string;
  vhost: string;
  queue: string;
  state: 'running' | 'completed' | 'stopped' | 'failed';
  matched: number | null;
  moved: number;
  skipped: number;
  remaining: number | null;
  error?: string;
}

export const redriveDryRun = (vhost: string, queue: string, filter: RedriveFilter) =>
  api<RedriveDryRun>('POST', `${queuePath(vhost, queue)}/redrive`, { filter, dry_run: true });
/** `rate`: at most this many messages a second (undefined: as fast as the broker moves them). */
export const startRedrive = (vhost: string, queue: string, filter: RedriveFilter, rate?: number) =>
  api<{ id: string }>('POST', `${queuePath(vhost, queue)}/redrive`, { filter, ...(rate === undefined ? {} : { rate }) });
export const redrivePath = (id: string): string => `/api/redrives/${encodeURIComponent(id)}`;
export const cancelRedrive = (id: string) => api<RedriveJob>('DELETE', redrivePath(id));

/** The payload as bytes, whichever way the API encoded it. */
export function payloadBytes(m: Pick<BrowsedMessage, 'payload' | 'payload_encoding'>): Uint8Array {
  if (m.payload_encoding === 'string') return new TextEncoder().encode(m.payload);
  const binary = atob(m.payload);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
