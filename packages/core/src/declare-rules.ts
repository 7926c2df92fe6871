/** How declare conflicts are described to the user, and the exchanges every vhost starts with. */
import type { ExchangeType } from '@warren/protocol';
import { canonicalJson } from './canonical.js';
import type { Table } from './message.js';

/** The exchanges every vhost has (RabbitMQ's defaults, AMQP 0-9-1 §3.1.3). */
export const BUILT_IN: ReadonlyArray<[string, ExchangeType]> = [
  ['', 'direct'],
  ['amq.direct', 'direct'],
  ['amq.fanout', 'fanout'],
  ['amq.topic', 'topic'],
  ['amq.headers', 'headers'],
  ['amq.match', 'headers'],
];

export function describeExchange(x: { type: string; durable: boolean; autoDelete: boolean; internal: boolean; arguments: Table }): string {
  return `${x.type} durable=${x.durable} auto_delete=${x.autoDelete} internal=${x.internal} arguments=${canonicalJson(x.arguments)}`;
}

export function describeQueue(q: { durable: boolean; exclusive: boolean; autoDelete: boolean; arguments: Table }): string {
  return `durable=${q.durable} exclusive=${q.exclusive} auto_delete=${q.autoDelete} arguments=${canonicalJson(q.arguments)}`;
}
