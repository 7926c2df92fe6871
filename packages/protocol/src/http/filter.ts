/**
 * Which messages a browse or a redrive is about (Warren): every condition given must hold.
 * Shared by `POST …/get`, `POST …/redrive` and the `queue.browse` frame. The schema checks the
 * shape; the JSON path's syntax is checked where it is compiled (core's json-path.ts).
 */
import type { JsonSchema } from '../frames/schema.js';

export interface MessageFilter {
  /** A topic pattern (`*` one word, `#` zero or more); without wildcards it is exact equality. */
  routing_key?: string;
  /** Each header must equal the given JSON value. */
  headers?: Record<string, unknown>;
  /** The body, read as UTF-8 text, contains this text. */
  body_contains?: string;
  /** A JSON path into a JSON body (`$.order.customer.id`); the value there must equal `equals`. */
  json_path?: string;
  equals?: unknown;
}

/**
 * A redrive's filter adds the newest `x-death` entry's reason and queue, and the error of the
 * message's last failed attempt (the newest `x-warren-attempts` entry, docs/retry.md).
 */
export interface RedriveFilter extends MessageFilter {
  reason?: 'rejected' | 'expired' | 'maxlen' | 'delivery_limit' | 'retries_exhausted';
  source_queue?: string;
  /** Equal to the last attempt's error text; null: the last attempt gave none, or no attempt was logged. */
  last_error?: string | null;
}

const filterProperties: Record<string, JsonSchema> = {
  routing_key: { type: 'string', maxLength: 255 },
  headers: { type: 'object', maxProperties: 64 },
  body_contains: { type: 'string', minLength: 1, maxLength: 4096 },
  json_path: { type: 'string', minLength: 1, maxLength: 255 },
  equals: {},
};

const pathNeedsValue = { json_path: ['equals'], equals: ['json_path'] };

export const MESSAGE_FILTER_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: filterProperties,
  dependencies: pathNeedsValue,
};

export const REDRIVE_FILTER_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filterProperties,
    reason: { enum: ['rejected', 'expired', 'maxlen', 'delivery_limit', 'retries_exhausted'] },
    source_queue: { type: 'string', maxLength: 255 },
    // The attempt log keeps at most 1024 characters of an error (core's attempt-log.ts).
    last_error: { type: ['string', 'null'], maxLength: 1024 },
  },
  dependencies: pathNeedsValue,
};
