/** Definitions (RabbitMQ's format): export, the import diff, import with or without prune. */
import { api } from './http.js';

export const exportDefinitions = () => api<Record<string, unknown>>('GET', '/api/definitions');
export const diffDefinitions = (doc: unknown) => api<Record<string, unknown>>('POST', '/api/definitions?mode=diff', doc);
export const importDefinitions = (doc: unknown, prune: boolean, force: boolean) =>
  api<{ warnings?: string[]; deleted?: unknown }>('POST', `/api/definitions?prune=${prune}${prune ? `&force=${force}` : ''}`, doc);
