/**
 * The audit log in the management API (Warren): `GET /api/audit?page=&page_size=`, newest first,
 * in RabbitMQ's paged-list shape (`items`, `page`, `page_size`, `page_count`, `total_count`).
 */
import type { JsonSchema } from '../frames/schema.js';
import { bodyParser } from './body.js';

export interface AuditObject {
  type: 'queue' | 'exchange' | 'policy' | 'definitions' | 'user' | 'permission' | 'topic_permission' | 'vhost' | 'connection' | 'route';
  vhost: string | null;
  name: string | null;
}

export interface AuditEntryView {
  /** ISO 8601, UTC. */
  time: string;
  /** Who asked: the authenticated user, or for a refused login the name it claimed (docs/http-api.md). */
  user: string;
  /** Whether the broker checked `user` (authenticated it); false for a name only claimed. */
  user_verified: boolean;
  /** `queue.purge`, `queue.delete`, `exchange.delete`, `policy.set`, `policy.delete`, `definitions.import`, `vhost.delete`, `connection.close`, `redrive`, `redrive.start`, `redrive.stop`, `redrive.end`. */
  action: string;
  object: AuditObject;
  parameters: Record<string, unknown>;
  counts: Record<string, number>;
}

export interface AuditPageView {
  items: AuditEntryView[];
  page: number;
  page_size: number;
  page_count: number;
  item_count: number;
  total_count: number;
}

export const MAX_AUDIT_PAGE_SIZE = 500;

export interface AuditQuery {
  page?: number;
  page_size?: number;
}

/** Query strings arrive as text; the parser is given them already converted where they are digits. */
export const AUDIT_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    page: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    page_size: { type: 'integer', minimum: 1, maximum: MAX_AUDIT_PAGE_SIZE },
  },
};

const parseQuery = bodyParser<AuditQuery>(AUDIT_QUERY_SCHEMA);

/** `?page=2&page_size=50` → numbers, defaults filled in; throws WarrenError `invalid_argument`. */
export function parseAuditQuery(query: Record<string, string | undefined>): { page: number; pageSize: number } {
  const numeric: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) numeric[key] = value !== undefined && /^[0-9]{1,9}$/.test(value) ? Number(value) : value;
  const parsed = parseQuery(numeric);
  return { page: parsed.page ?? 1, pageSize: parsed.page_size ?? 100 };
}
