/**
 * The broker's resource alarms as the client sees them (spec: "Resource alarms"). Between
 * `connection.blocked` and `connection.unblocked` the broker reads nothing from this connection,
 * so new publishes wait in the client (the publisher holds them) and go out, in order, once it is
 * unblocked; none is lost. Listeners registered with `client.on` hear of both changes.
 */
import type { BlockedReason, ConnectionBlockedFrame } from '@warren/protocol';

export interface BlockedEvent {
  /** The resource whose alarm is up on the broker. */
  reason: BlockedReason;
}

export interface ClientEvents {
  blocked: (event: BlockedEvent) => void;
  unblocked: () => void;
}

export type ClientEvent = keyof ClientEvents;

export class Blocking {
  private reason: BlockedReason | undefined;
  private readonly listeners: { [E in ClientEvent]: Set<ClientEvents[E]> } = { blocked: new Set(), unblocked: new Set() };

  constructor(private readonly publisher: { hold(): void; release(): void }) {}

  get blocked(): boolean {
    return this.reason !== undefined;
  }

  on<E extends ClientEvent>(event: E, listener: ClientEvents[E]): void {
    this.listeners[event].add(listener);
  }

  off<E extends ClientEvent>(event: E, listener: ClientEvents[E]): void {
    this.listeners[event].delete(listener);
  }

  onBlocked(frame: ConnectionBlockedFrame): void {
    if (this.reason !== undefined) return;
    this.reason = frame.reason;
    this.publisher.hold();
    for (const listener of this.listeners.blocked) isolated(() => listener({ reason: frame.reason }));
  }

  onUnblocked(): void {
    if (this.reason === undefined) return;
    this.reason = undefined;
    this.publisher.release();
    for (const listener of this.listeners.unblocked) isolated(listener);
  }
}

/** A throwing listener surfaces as an uncaught error without breaking frame handling or the other listeners. */
function isolated(call: () => void): void {
  try {
    call();
  } catch (thrown) {
    queueMicrotask(() => {
      throw thrown;
    });
  }
}
