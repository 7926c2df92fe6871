/**
 * Vhosts in the management API: `GET /api/vhosts…` views and the body of
 * `PUT /api/vhosts/{name}` (RabbitMQ's `description`, `tags`, `default_queue_type`; its
 * `tracing` is accepted and ignored).
 */
import type { JsonSchema } from '../frames/schema.js';
import { bodyParser } from './body.js';
import { BOOLEAN_LIKE, type BooleanLike } from './rabbit-values.js';
import type { MessageStatsView } from './stats.js';

export interface VHostView {
  name: string;
  description: string;
  tags: string[];
  default_queue_type: string;
  metadata: { description: string; tags: string[] };
  tracing: false;
  cluster_state: Record<string, 'running'>;
  messages: number;
  messages_ready: number;
  messages_unacknowledged: number;
  message_bytes: number;
  message_stats: MessageStatsView;
}

export interface VHostBody {
  description?: string;
  /** A comma-separated string (RabbitMQ's form) or a list. */
  tags?: string | string[];
  default_queue_type?: 'classic' | 'quorum' | 'replicated';
  tracing?: BooleanLike;
}

export const VHOST_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    description: { type: 'string', maxLength: 1024 },
    tags: {
      anyOf: [
        { type: 'string', maxLength: 1024 },
        { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 255 } },
      ],
    },
    default_queue_type: { enum: ['classic', 'quorum', 'replicated'] },
    tracing: BOOLEAN_LIKE,
    // Sent by rabbitmqadmin; the URL names the vhost.
    name: { type: 'string' },
    vhost: { type: 'string' },
  },
};

export const parseVHostBody = bodyParser<VHostBody>(VHOST_BODY_SCHEMA);

/** `"a, b"` or `['a', 'b']` → `['a', 'b']`. */
export function vhostTags(tags: string | string[] | undefined): string[] {
  const list = typeof tags === 'string' ? tags.split(',') : (tags ?? []);
  return list.map((t) => t.trim()).filter((t) => t !== '');
}
