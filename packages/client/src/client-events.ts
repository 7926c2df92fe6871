/**
 * The events a client emits to listeners registered with `client.on`: the broker's resource
 * alarms (blocking.ts) and the publish window's drain (publisher.ts). A throwing listener
 * surfaces as an uncaught error without breaking frame handling or the other listeners.
 */
import type { BlockedReason } from '@warren/protocol/wire';

export interface BlockedEvent {
  /** The resource whose alarm is up on the broker. */
  reason: BlockedReason;
}

export interface ClientEvents {
  blocked: (event: BlockedEvent) => void;
  unblocked: () => void;
  /** `client.writable` turned true again: a publish is written at once. */
  drain: () => void;
}

export type ClientEvent = keyof ClientEvents;

export class ClientEventHub {
  private readonly listeners: { [E in ClientEvent]: Set<ClientEvents[E]> } = { blocked: new Set(), unblocked: new Set(), drain: new Set() };

  on<E extends ClientEvent>(event: E, listener: ClientEvents[E]): void {
    this.listeners[event].add(listener);
  }

  off<E extends ClientEvent>(event: E, listener: ClientEvents[E]): void {
    this.listeners[event].delete(listener);
  }

  emit<E extends ClientEvent>(event: E, ...args: Parameters<ClientEvents[E]>): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (...given: Parameters<ClientEvents[E]>) => void)(...args);
      } catch (thrown) {
        queueMicrotask(() => {
          throw thrown;
        });
      }
    }
  }
}
