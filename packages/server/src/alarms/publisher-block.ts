/**
 * RabbitMQ's connection blocking, for one connection. While a resource alarm is up, a connection
 * that publishes is no longer read and is told so once with `connection.blocked`; a connection
 * that has only consumed keeps being read, so consumers drain the queues that caused the alarm.
 * A connection is blocked when it publishes while an alarm is up, or when an alarm rises after
 * it has published. Once every alarm has cleared it gets `connection.unblocked` and is read again
 * (docs/protocol.md, "Resource alarms").
 */
import type { BlockedReason, ConnectionBlockedFrame, ConnectionUnblockedFrame } from '@warren/protocol';
import type { Pausable } from './read-gate.js';

export class PublisherBlock {
  private alarms: readonly BlockedReason[] = [];
  private publishes = false;
  private blocked = false;

  constructor(
    private readonly reading: Pausable,
    private readonly send: (frame: ConnectionBlockedFrame | ConnectionUnblockedFrame) => void,
  ) {}

  get isBlocked(): boolean {
    return this.blocked;
  }

  /** The connection has published (RabbitMQ's publishers gauge counts such connections). */
  get isPublisher(): boolean {
    return this.publishes;
  }

  /** A publish was read from this connection. */
  published(): void {
    if (this.publishes) return;
    this.publishes = true;
    this.update();
  }

  /** The alarms now up, in the order they were raised. */
  alarmsChanged(active: readonly BlockedReason[]): void {
    this.alarms = active;
    this.update();
  }

  private update(): void {
    const reason = this.alarms[0];
    if (!this.blocked && this.publishes && reason !== undefined) {
      this.blocked = true;
      this.reading.pause();
      this.send({ type: 'connection.blocked', reason });
    } else if (this.blocked && reason === undefined) {
      this.blocked = false;
      this.send({ type: 'connection.unblocked' });
      this.reading.resume();
    }
  }
}
