/**
 * `POST /api/exchanges/{vhost}/{name}/publish`, RabbitMQ's body and answer: `properties` as
 * AMQP basic properties in snake_case (`delivery_mode` 2 = persistent, `headers`), the payload
 * as a string or base64, answered `{ routed }`. The name `amq.default` means the default
 * exchange, as in RabbitMQ's URLs.
 */
import type { JsonSchema } from '../frames/schema.js';
import { bodyParser } from './body.js';

export interface PublishProperties {
  content_type?: string;
  content_encoding?: string;
  correlation_id?: string;
  reply_to?: string;
  expiration?: string;
  message_id?: string;
  timestamp?: number;
  type?: string;
  user_id?: string;
  app_id?: string;
  priority?: number;
  /** 2 (or "2") = persistent; default 1. */
  delivery_mode?: number | string;
  headers?: Record<string, unknown>;
}

export interface PublishBody {
  routing_key: string;
  payload: string;
  payload_encoding: 'string' | 'base64';
  properties: PublishProperties;
}

export interface PublishResult {
  /** False: no queue took the message (RabbitMQ's meaning). */
  routed: boolean;
}

const text = { type: 'string', maxLength: 255 };

export const PUBLISH_PROPERTIES_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    content_type: text,
    content_encoding: text,
    correlation_id: text,
    reply_to: text,
    expiration: { type: 'string', pattern: '^[0-9]{1,10}$' },
    message_id: text,
    timestamp: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    type: text,
    user_id: text,
    app_id: text,
    priority: { type: 'integer', minimum: 0, maximum: 255 },
    delivery_mode: { enum: [1, 2, '1', '2'] },
    headers: { type: 'object', maxProperties: 1024 },
  },
};

export const PUBLISH_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['routing_key', 'payload', 'payload_encoding', 'properties'],
  properties: {
    routing_key: { type: 'string', maxLength: 255 },
    payload: { type: 'string' },
    payload_encoding: { enum: ['string', 'base64'] },
    properties: PUBLISH_PROPERTIES_SCHEMA,
    // Sent by rabbitmqadmin; the URL names them.
    vhost: { type: 'string' },
    exchange: { type: 'string' },
    name: { type: 'string' },
    props: { type: 'object' },
  },
};

export const parsePublishBody = bodyParser<PublishBody>(PUBLISH_BODY_SCHEMA);
