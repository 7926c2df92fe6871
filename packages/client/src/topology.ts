/**
 * What this client declared, so a reconnect can declare it again (docs/client-failover.md,
 * "Topology"): exchanges, queues, queue bindings and exchange bindings, in the order they
 * must be replayed. A declaration is recorded once the broker confirmed it; a passive declare
 * records nothing; a delete or unbind through this client forgets it, and deleting an exchange or
 * queue forgets the bindings that named it. A server-named queue (declared with an empty name)
 * is declared again with an empty name and gets a new one: rename() moves its bindings.
 */
import type { ExchangeBindFrame, ExchangeDeclareFrame, QueueBindFrame, QueueDeclareFrame } from '@warren/protocol/wire';

type Declare<F> = Omit<F, 'id'>;
export type ExchangeDeclaration = Declare<ExchangeDeclareFrame>;
export type QueueDeclaration = Declare<QueueDeclareFrame>;
export type QueueBinding = Declare<QueueBindFrame>;
export type ExchangeBinding = Declare<ExchangeBindFrame>;

export interface QueueRecord {
  declaration: QueueDeclaration;
  /** Declared with an empty name: the broker names it again on each connection. */
  serverNamed: boolean;
}

export type Replay =
  | { kind: 'exchange'; frame: ExchangeDeclaration }
  | { kind: 'queue'; name: string; record: QueueRecord }
  | { kind: 'binding'; frame: QueueBinding | ExchangeBinding };

const isQueueBinding = (frame: QueueBinding | ExchangeBinding): frame is QueueBinding => 'queue' in frame;

/** The same for a bind and its unbind. */
const bindingKey = (frame: QueueBinding | ExchangeBinding): string =>
  isQueueBinding(frame)
    ? JSON.stringify(['q', frame.queue, frame.exchange, frame.routing_key ?? '', frame.arguments ?? {}])
    : JSON.stringify(['e', frame.destination, frame.source, frame.routing_key ?? '', frame.arguments ?? {}]);

export class Topology {
  private readonly exchanges = new Map<string, ExchangeDeclaration>();
  private readonly queues = new Map<string, QueueRecord>();
  /** Queue and exchange bindings in the order they were made (an exchange binding may feed a queue binding's source). */
  private readonly bindings = new Map<string, QueueBinding | ExchangeBinding>();

  declaredExchange(frame: ExchangeDeclaration): void {
    if (frame.passive === true) return;
    // Map order is insertion order: a re-declare keeps its first place, which is where its dependants expect it.
    this.exchanges.set(frame.exchange, frame);
  }

  declaredQueue(name: string, frame: QueueDeclaration): void {
    if (frame.passive === true) return;
    this.queues.set(name, { declaration: frame, serverNamed: frame.queue === '' || this.queues.get(name)?.serverNamed === true });
  }

  queue(name: string): QueueRecord | undefined {
    return this.queues.get(name);
  }

  bound(frame: QueueBinding | ExchangeBinding): void {
    this.bindings.set(bindingKey(frame), frame);
  }

  unbound(frame: QueueBinding | ExchangeBinding): void {
    this.bindings.delete(bindingKey(frame));
  }

  deletedExchange(name: string): void {
    this.exchanges.delete(name);
    for (const [key, frame] of this.bindings) {
      const touches = isQueueBinding(frame) ? frame.exchange === name : frame.source === name || frame.destination === name;
      if (touches) this.bindings.delete(key);
    }
  }

  deletedQueue(name: string): void {
    this.queues.delete(name);
    for (const [key, frame] of this.bindings) if (isQueueBinding(frame) && frame.queue === name) this.bindings.delete(key);
  }

  /** A server-named queue came back as `to`: its record and bindings follow it. */
  rename(from: string, to: string): void {
    const record = this.queues.get(from);
    if (record === undefined || from === to) return;
    this.queues.delete(from);
    this.queues.set(to, record);
    for (const [key, frame] of [...this.bindings]) {
      if (!isQueueBinding(frame) || frame.queue !== from) continue;
      this.bindings.delete(key);
      const moved = { ...frame, queue: to };
      this.bindings.set(bindingKey(moved), moved);
    }
  }

  /** Everything to declare again, in order: exchanges, queues, then bindings. */
  replay(): Replay[] {
    return [
      ...[...this.exchanges.values()].map((frame): Replay => ({ kind: 'exchange', frame })),
      ...[...this.queues].map(([name, record]): Replay => ({ kind: 'queue', name, record })),
      ...[...this.bindings.values()].map((frame): Replay => ({ kind: 'binding', frame })),
    ];
  }
}
