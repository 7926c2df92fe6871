/**
 * Exchanges and bindings in the management API: the views `GET /api/exchanges…` and
 * `GET /api/bindings…` return, and the bodies of `PUT /api/exchanges/{vhost}/{name}` and
 * `POST /api/bindings/{vhost}/e/{source}/{q|e}/{destination}`, in RabbitMQ's shape. Exchange
 * arguments are checked by arguments.ts.
 */
import type { ExchangeType } from '../frames/exchange.js';
import type { JsonSchema } from '../frames/schema.js';
import { bodyParser } from './body.js';
import type { MessageStatsView } from './stats.js';
import { asBoolean, BOOLEAN_LIKE, type BooleanLike } from './rabbit-values.js';

export interface ExchangeView {
  name: string;
  vhost: string;
  type: ExchangeType;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
  /** The name of the policy that applies, or null. */
  policy: string | null;
  /** publish_in, publish_out, drop_unroutable, each with its `_details.rate`. */
  message_stats: MessageStatsView;
}

/** `PUT /api/exchanges/{vhost}/{name}`. Flags may be `"true"` / `"false"` strings (rabbitmqadmin). */
export interface ExchangeDeclareBody {
  type: ExchangeType;
  /** Default true. */
  durable?: BooleanLike;
  auto_delete?: BooleanLike;
  internal?: BooleanLike;
  arguments?: Record<string, unknown>;
}

export const EXCHANGE_DECLARE_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['direct', 'fanout', 'topic', 'headers'] },
    durable: BOOLEAN_LIKE,
    auto_delete: BOOLEAN_LIKE,
    internal: BOOLEAN_LIKE,
    arguments: { type: 'object', maxProperties: 1024 },
    vhost: { type: 'string' },
    name: { type: 'string' },
  },
};

/** An exchange declare with its defaults filled in. */
export interface ExchangeDeclareRequest {
  type: ExchangeType;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: Record<string, unknown>;
}

const parseDeclare = bodyParser<ExchangeDeclareBody>(EXCHANGE_DECLARE_BODY_SCHEMA);

export function parseExchangeDeclareBody(body: unknown): ExchangeDeclareRequest {
  const parsed = parseDeclare(body);
  return {
    type: parsed.type,
    durable: asBoolean(parsed.durable, true),
    auto_delete: asBoolean(parsed.auto_delete, false),
    internal: asBoolean(parsed.internal, false),
    arguments: parsed.arguments ?? {},
  };
}

export interface BindingView {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: Record<string, unknown>;
  /** Names this binding in `DELETE /api/bindings/{vhost}/e/{source}/{q|e}/{destination}/{properties_key}`. */
  properties_key: string;
}

/** The body of a binding's `POST`; RabbitMQ's tools also send the binding's own fields, which the URL already names. */
export interface BindingBody {
  routing_key?: string;
  arguments?: Record<string, unknown>;
  /** Must agree with the URL's `q` / `e` when given (rabbitmqadmin sends it). */
  destination_type?: 'queue' | 'exchange' | 'q' | 'e';
}

export const BINDING_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    routing_key: { type: 'string', maxLength: 255 },
    arguments: { type: 'object', maxProperties: 1024 },
    vhost: { type: 'string' },
    source: { type: 'string' },
    destination: { type: 'string' },
    destination_type: { enum: ['queue', 'exchange', 'q', 'e'] },
    properties_key: { type: 'string' },
  },
};

export const parseBindingBody = bodyParser<BindingBody>(BINDING_BODY_SCHEMA);

/** The body of `POST /api/exchanges/{vhost}/{name}/route`: the message to route, without a body. */
export interface RouteBody {
  routing_key: string;
  /** For headers exchanges. */
  headers?: Record<string, unknown>;
}

export const ROUTE_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['routing_key'],
  properties: {
    routing_key: { type: 'string', maxLength: 255 },
    headers: { type: 'object', maxProperties: 1024 },
  },
};

export const parseRouteBody = bodyParser<RouteBody>(ROUTE_BODY_SCHEMA);

/**
 * One step of a route: the message leaves `exchange` through a binding (its `binding_key`, and
 * for a headers exchange its `arguments`), or through the exchange's `alternate_exchange`.
 */
export interface RouteHop {
  exchange: string;
  binding_key?: string;
  arguments?: Record<string, unknown>;
  alternate_exchange?: string;
}

export interface RoutedQueue {
  vhost: string;
  name: string;
  /** From the exchange routed to, to this queue: the first way the routing found there. */
  path: RouteHop[];
}

/** An exchange that routed the message nowhere and handed it to its alternate exchange. */
export interface AlternateUse {
  exchange: string;
  alternate_exchange: string;
  /** False when the alternate exchange it names does not exist (the message is lost there). */
  exists: boolean;
}

/** The answer of `POST /api/exchanges/{vhost}/{name}/route`: where a publish would go; nothing is published. */
export interface RouteResult {
  /** False: unroutable (a mandatory publish would come back). */
  routed: boolean;
  queues: RoutedQueue[];
  /** Present when an alternate exchange was used on the way. */
  alternate?: AlternateUse[];
}
