/**
 * Publish family. `publish` carries the message body as the frame body. The broker answers
 * every publish, in sequence order per connection, with `publish.ack` (possibly cumulative) or
 * `publish.nack`; a mandatory publish that reaches no queue first gets `publish.return`.
 */
import { bool, EXCHANGE_NAME, frame, ROUTING_KEY, str, table, uint, type JsonSchema } from './schema.js';

/** AMQP basic properties, snake_case. `persistent` replaces AMQP's delivery-mode 2. */
export interface MessageProperties {
  content_type?: string;
  content_encoding?: string;
  correlation_id?: string;
  reply_to?: string;
  /** Per-message TTL in ms, as a decimal string (AMQP). */
  expiration?: string;
  message_id?: string;
  /** Milliseconds since the epoch. */
  timestamp?: number;
  type?: string;
  app_id?: string;
  user_id?: string;
  priority?: number;
  persistent?: boolean;
}

export interface PublishFrame {
  type: 'publish';
  /** Per-connection publish sequence number, from 1, increasing by 1. */
  seq: number;
  exchange: string;
  routing_key: string;
  mandatory?: boolean;
  properties?: MessageProperties;
  headers?: Record<string, unknown>;
  /** Hold the message this many ms before routing it (a delayed publish); it is confirmed once stored. */
  delay?: number;
}

/**
 * Confirms `seq`, or with `multiple` every unconfirmed publish up to and including `seq`. The
 * optional fields say where the receipts of the confirmed publishes differ from the default
 * (docs/protocol.md, "Publish receipts"); the usual ack has none of them.
 */
export interface PublishAckFrame {
  type: 'publish.ack';
  seq: number;
  multiple?: boolean;
  /** Seqs confirmed as duplicates: no queue took them, their dedup windows held the message id. */
  duplicate?: number[];
  /** The persistent publishes this ack confirms are on no disk (no queue that survives restarts holds them). */
  transient?: boolean;
  /** Nodes that hold the confirmed messages; absent means 1 (a single node). */
  replicas?: number;
}

export interface PublishNackFrame {
  type: 'publish.nack';
  seq: number;
  code: string;
  message: string;
}

/** A mandatory message no queue took, with its body; the publish is still acked after it. */
export interface PublishReturnFrame {
  type: 'publish.return';
  seq: number;
  exchange: string;
  routing_key: string;
  reply_code: number;
  code: string;
  message: string;
  properties?: MessageProperties;
  headers?: Record<string, unknown>;
}

export const propertiesSchema: JsonSchema = {
  type: 'object',
  properties: {
    content_type: str(),
    content_encoding: str(),
    correlation_id: str(),
    reply_to: str(),
    expiration: { type: 'string', pattern: '^[0-9]{1,10}$' },
    message_id: str(),
    timestamp: uint,
    type: str(),
    app_id: str(),
    user_id: str(),
    priority: { type: 'integer', minimum: 0, maximum: 255 },
    persistent: bool,
  },
};

export const publishSchemas: Record<string, JsonSchema> = {
  publish: frame(
    'publish',
    {
      seq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      exchange: EXCHANGE_NAME,
      routing_key: ROUTING_KEY,
      mandatory: bool,
      properties: propertiesSchema,
      headers: table,
      delay: { type: 'integer', minimum: 0, maximum: 0xffffffff },
    },
    ['seq', 'exchange', 'routing_key'],
  ),
};
