/**
 * The events a client emits to listeners registered with `client.on`: the broker's resource
 * alarms (blocking.ts), the publish window's drain (publisher.ts) and the connection's state
 * changes (connection-states.ts). A throwing listener surfaces as an uncaught error without
 * breaking frame handling or the other listeners.
 */
import type { BlockedReason, WarrenError } from '@warren/protocol/wire';

export interface BlockedEvent {
  /** The resource whose alarm is up on the broker. */
  reason: BlockedReason;
}

export interface DisconnectedEvent {
  /** The broker URL the lost connection went to. */
  url: string;
  /** Why it was lost. */
  error: WarrenError;
}

export interface ReconnectingEvent {
  /** The URL this attempt goes to. */
  url: string;
  /** 1 for the first attempt after a loss. */
  attempt: number;
  /** Ms the attempt waits first (back-off with jitter). */
  delay: number;
}

export interface ReconnectedEvent {
  /** The broker URL the client is connected to now. */
  url: string;
  /** Attempts it took. */
  attempts: number;
  /** Server-named queues declared again under a new name: old name → new name. */
  renamedQueues: Record<string, string>;
}

export interface FailedEvent {
  /** `reconnect_failed` (attempts used up), or the broker's refusal (`not_authorized`, …) that ended it. */
  error: WarrenError;
}

export interface ClientEvents {
  blocked: (event: BlockedEvent) => void;
  unblocked: () => void;
  /** `client.writable` turned true again: a publish is written at once. */
  drain: () => void;
  /** The connection was lost; the client will reconnect (publishes and requests wait). */
  disconnected: (event: DisconnectedEvent) => void;
  /** An attempt to reconnect starts (after its delay). */
  reconnecting: (event: ReconnectingEvent) => void;
  /** Connected again, topology declared and consumers resumed; waiting publishes go out. */
  reconnected: (event: ReconnectedEvent) => void;
  /** The client gave up reconnecting; `client.closed` resolves with the same error. */
  failed: (event: FailedEvent) => void;
}

export type ClientEvent = keyof ClientEvents;

type Listeners = { [E in ClientEvent]: Set<ClientEvents[E]> };

export class ClientEventHub {
  private readonly listeners: Listeners = {
    blocked: new Set(),
    unblocked: new Set(),
    drain: new Set(),
    disconnected: new Set(),
    reconnecting: new Set(),
    reconnected: new Set(),
    failed: new Set(),
  };

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
