/** Exchange family: declare, delete, and exchange-to-exchange bind / unbind. */
import { bool, EXCHANGE_NAME, request, ROUTING_KEY, table, type JsonSchema } from './schema.js';

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers';
export const EXCHANGE_TYPES: readonly ExchangeType[] = ['direct', 'fanout', 'topic', 'headers'];

export interface ExchangeDeclareFrame {
  type: 'exchange.declare';
  id: number;
  exchange: string;
  kind: ExchangeType;
  durable?: boolean;
  auto_delete?: boolean;
  internal?: boolean;
  /** Only check that the exchange exists (AMQP passive declare). */
  passive?: boolean;
  arguments?: Record<string, unknown>;
}

export interface ExchangeDeleteFrame {
  type: 'exchange.delete';
  id: number;
  exchange: string;
  if_unused?: boolean;
}

/** Binds exchange `destination` to exchange `source`. */
export interface ExchangeBindFrame {
  type: 'exchange.bind' | 'exchange.unbind';
  id: number;
  destination: string;
  source: string;
  routing_key?: string;
  arguments?: Record<string, unknown>;
}

export const exchangeSchemas: Record<string, JsonSchema> = {
  'exchange.declare': request(
    'exchange.declare',
    {
      exchange: EXCHANGE_NAME,
      kind: { enum: EXCHANGE_TYPES },
      durable: bool,
      auto_delete: bool,
      internal: bool,
      passive: bool,
      arguments: table,
    },
    ['exchange', 'kind'],
  ),
  'exchange.delete': request('exchange.delete', { exchange: EXCHANGE_NAME, if_unused: bool }, ['exchange']),
  'exchange.bind': request(
    'exchange.bind',
    { destination: EXCHANGE_NAME, source: EXCHANGE_NAME, routing_key: ROUTING_KEY, arguments: table },
    ['destination', 'source'],
  ),
  'exchange.unbind': request(
    'exchange.unbind',
    { destination: EXCHANGE_NAME, source: EXCHANGE_NAME, routing_key: ROUTING_KEY, arguments: table },
    ['destination', 'source'],
  ),
};
