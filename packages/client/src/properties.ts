/**
 * Message properties as the API shows them (camelCase) and as the wire carries them
 * (snake_case, packages/protocol/src/frames/publish.ts). Only names and value shapes change
 * here; the body and its content type are body.ts's job.
 */
import type { MessageProperties as WireProperties } from '@warren/protocol/wire';

/** AMQP basic properties of a received message. */
export interface Properties {
  contentType?: string;
  contentEncoding?: string;
  correlationId?: string;
  replyTo?: string;
  /** Per-message TTL in ms, as the decimal string AMQP carries. */
  expiration?: string;
  /** Always present on deliveries: the broker assigns one when the publisher gave none. */
  messageId?: string;
  /** Milliseconds since the epoch. */
  timestamp?: number;
  type?: string;
  appId?: string;
  userId?: string;
  priority?: number;
  persistent?: boolean;
}

/** What a publisher may set; `expiration` and `timestamp` also take the natural JS types. */
export interface PublishProperties extends Omit<Properties, 'expiration' | 'timestamp'> {
  /** Per-message TTL in ms. */
  expiration?: number | string;
  timestamp?: Date | number;
}

const NAMES = [
  ['contentType', 'content_type'],
  ['contentEncoding', 'content_encoding'],
  ['correlationId', 'correlation_id'],
  ['replyTo', 'reply_to'],
  ['expiration', 'expiration'],
  ['messageId', 'message_id'],
  ['timestamp', 'timestamp'],
  ['type', 'type'],
  ['appId', 'app_id'],
  ['userId', 'user_id'],
  ['priority', 'priority'],
  ['persistent', 'persistent'],
] as const satisfies ReadonlyArray<readonly [keyof Properties, keyof WireProperties]>;

const SNAKE_NAMES: ReadonlyMap<string, string> = new Map(NAMES);

/**
 * Wire properties of a publish. `persistent` defaults to true: queues are durable by default, and
 * only a persistent message survives a broker restart in a durable queue.
 */
export function toWireProperties(given: PublishProperties, contentType: string | undefined): WireProperties {
  const wire: Record<string, unknown> = {};
  // Over the keys given rather than every known name: a publish usually sets one or two.
  for (const key in given) {
    const snake = SNAKE_NAMES.get(key);
    const value = (given as Record<string, unknown>)[key];
    if (snake !== undefined && value !== undefined) wire[snake] = value;
  }
  if (given.expiration !== undefined) wire.expiration = String(given.expiration);
  if (given.timestamp instanceof Date) wire.timestamp = given.timestamp.getTime();
  if (wire.content_type === undefined && contentType !== undefined) wire.content_type = contentType;
  wire.persistent = given.persistent ?? true;
  return wire as WireProperties;
}

export function fromWireProperties(wire: WireProperties | undefined): Properties {
  const properties: Record<string, unknown> = {};
  if (wire === undefined) return properties;
  for (const [camel, snake] of NAMES) {
    const value = wire[snake];
    if (value !== undefined) properties[camel] = value;
  }
  return properties as Properties;
}
