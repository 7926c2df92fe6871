/**
 * An exchange: its declared properties and the routing rule of its type. Destinations are
 * queues or other exchanges (exchange-to-exchange bindings); following those, the alternate
 * exchange and the default exchange is the vhost's job (routing.ts).
 */
import { MessageStats } from '../message-stats.js';
import type { Policy } from '../policy/policy.js';
import type { ExchangeRecord } from '../ports.js';
import type { Queue } from '../queue/queue.js';
import { createRouter } from './create-router.js';
import type { Router } from './router.js';

export type Destination = Queue | Exchange;

export class Exchange {
  readonly router: Router<Destination>;
  deleted = false;
  /** The policy that applies to this exchange, set by the vhost. */
  policy: Policy | undefined;
  /** publish_in, publish_out and drop_unroutable of the publishes that enter here (message-paths.ts). */
  readonly messageStats = new MessageStats();

  constructor(readonly record: ExchangeRecord) {
    this.router = createRouter<Destination>(record.type);
  }

  get name(): string {
    return this.record.name;
  }

  get durable(): boolean {
    return this.record.durable;
  }

  /** The `alternate-exchange` argument, else the policy's key: where messages this exchange cannot route go. */
  get alternateExchange(): string | undefined {
    const ae = this.record.arguments['alternate-exchange'] ?? this.policy?.record.definition['alternate-exchange'];
    return typeof ae === 'string' ? ae : undefined;
  }
}
