/** Scheduled messages (delayed publishes and retry back-offs): a page, cancel, reschedule. */
import { api, enc } from './http.js';

export const scheduledPath = (vhost: string, page: number, pageSize: number): string =>
  `/api/scheduled/${enc(vhost)}?page=${page}&page_size=${pageSize}`;
export const cancelScheduled = (vhost: string, id: string) => api<void>('DELETE', `/api/scheduled/${enc(vhost)}/${enc(id)}`);
export const reschedule = (vhost: string, id: string, due: number) => api<unknown>('PUT', `/api/scheduled/${enc(vhost)}/${enc(id)}`, { due });
