/** Finding what a URL names, or the 404 that says what is missing (`vhost_not_found`, `queue_not_found`, …). */
import { WarrenError } from '@warren/protocol';
import type { Broker, Exchange, Queue, VHost } from '@warren/core';

export interface VHostParams {
  vhost: string;
}

export interface NameParams extends VHostParams {
  name: string;
}

export function vhostOf(broker: Broker, name: string): VHost {
  const vhost = broker.vhost(name);
  if (vhost === undefined) throw new WarrenError('vhost_not_found', `no vhost '${name}'`);
  return vhost;
}

export function queueOf(broker: Broker, params: NameParams): Queue {
  const queue = vhostOf(broker, params.vhost).queue(params.name);
  if (queue === undefined) throw new WarrenError('queue_not_found', `no queue '${params.name}' in vhost '${params.vhost}'`);
  return queue;
}

/** RabbitMQ's URLs name the default exchange (whose name is empty) `amq.default`. */
export function exchangeName(name: string): string {
  return name === 'amq.default' ? '' : name;
}

export function exchangeOf(broker: Broker, params: NameParams): Exchange {
  const exchange = vhostOf(broker, params.vhost).exchange(exchangeName(params.name));
  if (exchange === undefined) throw new WarrenError('exchange_not_found', `no exchange '${params.name}' in vhost '${params.vhost}'`);
  return exchange;
}

/** Resolves once every write requested so far is on disk: a reply after it means the change is stored. */
export function written(broker: Broker): Promise<void> {
  return new Promise((resolve, reject) => broker.afterWrites((error) => (error ? reject(error) : resolve())));
}

/** RabbitMQ's boolean query flags (`?if-empty=true`). */
export function flag(query: unknown, name: string): boolean {
  return (query as Record<string, unknown> | undefined)?.[name] === 'true';
}
