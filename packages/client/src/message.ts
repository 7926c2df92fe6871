/**
 * A delivered message: its body (a view into the received WebSocket message, not a copy), its
 * metadata in camelCase, and the calls that settle it. Tracking what is settled is
 * settlement.ts's job.
 */
import type { AttemptLogEntry, DeliverFrame } from '@warren/protocol/wire';
import { decodeText } from './body.js';
import { fromWireProperties, type Properties } from './properties.js';
import type { Settlement } from './settlement.js';

/** One failed attempt at a message, from its `x-warren-attempts` header (docs/retry.md). */
export type Attempt = AttemptLogEntry;

export class Message {
  /** Renamed to camelCase when first read: many consumers never look. */
  private renamed: Properties | undefined;
  private headersRead: Record<string, unknown> | undefined;

  /**
   * `frame` may be a LazyDeliverFrame (deliver-frame.ts): every field but the tags is read from
   * it only when asked for, so a consumer that reads only bodies never has its headers parsed.
   */
  constructor(
    private readonly frame: DeliverFrame,
    readonly body: Uint8Array,
    private readonly settlement: Settlement,
  ) {}

  get exchange(): string {
    return this.frame.exchange;
  }

  get routingKey(): string {
    return this.frame.routing_key;
  }

  get redelivered(): boolean {
    return this.frame.redelivered;
  }

  /** Deliveries of this message so far, this one included. */
  get deliveryCount(): number {
    return this.frame.delivery_count;
  }

  get deliveryTag(): number {
    return this.frame.delivery_tag;
  }

  get consumerTag(): string {
    return this.frame.consumer_tag;
  }

  get headers(): Record<string, unknown> {
    return (this.headersRead ??= this.frame.headers ?? {});
  }

  get properties(): Properties {
    return (this.renamed ??= fromWireProperties(this.frame.properties));
  }

  /** The body as UTF-8 text. */
  text(): string {
    return decodeText(this.body);
  }

  /** The body parsed as JSON; the type parameter is the caller's claim, not a check. */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  /** True once acked, nacked or rejected (no_ack deliveries are settled from the start). */
  get settled(): boolean {
    return this.settlement.isSettled(this.deliveryTag);
  }

  /** `multiple` also acks every earlier unsettled delivery of this connection. */
  ack(options: { multiple?: boolean } = {}): void {
    this.settlement.settle('ack', this.deliveryTag, options);
  }

  /** Requeues by default; `requeue: false` drops the message. `error` goes to its attempt log. */
  nack(options: { requeue?: boolean; multiple?: boolean; error?: string | Error } = {}): void {
    this.settlement.settle('nack', this.deliveryTag, options);
  }

  reject(options: { requeue?: boolean; error?: string | Error } = {}): void {
    this.settlement.settle('reject', this.deliveryTag, options);
  }

  /**
   * Gives the message back for a later attempt: after the queue's retry back-off (or `delay`
   * ms) it returns to the queue with `attempt` one higher; after the last attempt the broker
   * dead-letters it (reason `retries_exhausted`).
   */
  retry(options: { delay?: number; error?: string | Error } = {}): void {
    this.settlement.settle('retry', this.deliveryTag, options);
  }

  /**
   * Renews this delivery's ack lease: the broker now takes it back `ms` after it reads this,
   * unless it is settled first. Extending a delivery that is settled or was taken back is
   * reported to `client.onError` (`unknown_delivery_tag`, `delivery_expired`).
   */
  extend(ms: number): void {
    this.settlement.extend(this.deliveryTag, ms);
  }

  /** Why earlier attempts failed, oldest first (the broker keeps the newest 20 by default). */
  get attempts(): Attempt[] {
    const log = this.headers['x-warren-attempts'];
    return Array.isArray(log) ? (log as Attempt[]) : [];
  }

  /** This delivery's attempt number: 1, or more once the message has been retried. */
  get attempt(): number {
    const attempt = this.headers['x-warren-attempt'];
    return typeof attempt === 'number' && attempt >= 1 ? attempt : 1;
  }
}
