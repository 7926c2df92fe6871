/**
 * The broker's resource alarms as the client sees them (spec: "Resource alarms"). Between
 * `connection.blocked` and `connection.unblocked` the broker reads nothing from this connection,
 * so new publishes wait in the client (the publisher holds them) and go out, in order, once it is
 * unblocked; none is lost. Listeners registered with `client.on` hear of both changes.
 */
import type { BlockedReason, ConnectionBlockedFrame } from '@warren/protocol/wire';
import type { ClientEventHub } from './client-events.js';

export class Blocking {
  private reason: BlockedReason | undefined;

  constructor(
    private readonly publisher: { hold(): void; release(): void },
    private readonly events: ClientEventHub,
  ) {}

  get blocked(): boolean {
    return this.reason !== undefined;
  }

  onBlocked(frame: ConnectionBlockedFrame): void {
    if (this.reason !== undefined) return;
    this.reason = frame.reason;
    this.publisher.hold();
    this.events.emit('blocked', { reason: frame.reason });
  }

  /** A new connection starts unblocked: the alarm of the lost one no longer holds publishes. */
  reset(): void {
    this.onUnblocked();
  }

  onUnblocked(): void {
    if (this.reason === undefined) return;
    this.reason = undefined;
    this.publisher.release();
    this.events.emit('unblocked');
  }
}
