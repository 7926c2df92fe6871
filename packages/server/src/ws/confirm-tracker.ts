/**
 * Publisher confirms of one connection (docs/protocol.md, "Publishing"). Publishes are answered
 * in sequence order: a publish whose message was written to the store waits for the store ticket
 * of that write, and everything behind it waits too, so one cumulative `publish.ack` answers a
 * whole group commit. The number of unanswered publishes is the connection's publish window:
 * above it the server stops reading the socket, which pushes back on the publisher over TCP.
 */
import { WarrenError } from '@warren/protocol';
import { Deque } from '@warren/core';

export interface ConfirmSink {
  readonly broker: { whenWritten(ticket: number, done: (error?: Error) => void): void };
  readonly socket: { pause(): void; resume(): void };
  send(header: object): void;
}

export class ConfirmTracker {
  private readonly seqs = new Deque<number>();
  private readonly tickets = new Deque<number>();
  private lastSeq = 0;
  private writtenTicket = 0;
  private awaitedTicket = 0;
  private paused = false;
  private abandoned = false;

  constructor(
    private readonly sink: ConfirmSink,
    private readonly window: number,
  ) {}

  /** Checks that a publish's seq follows the previous one; throws frame_invalid otherwise. */
  next(seq: number): void {
    if (seq <= this.lastSeq) {
      throw new WarrenError('frame_invalid', `publish seq ${seq} is not greater than the previous ${this.lastSeq}`, { context: { seq } });
    }
    this.lastSeq = seq;
  }

  /** Queues the publish's confirm behind `ticket` (0: nothing to wait for). */
  accept(seq: number, ticket: number): void {
    this.seqs.push(seq);
    this.tickets.push(ticket);
    if (ticket > this.awaitedTicket) {
      this.awaitedTicket = ticket;
      this.sink.broker.whenWritten(ticket, (error) => this.written(ticket, error));
    }
    if (!this.paused && this.seqs.length > this.window) {
      this.paused = true;
      this.sink.socket.pause();
    }
  }

  nack(seq: number, error: WarrenError): void {
    this.sink.send({ type: 'publish.nack', seq, code: error.code, message: error.message });
  }

  /** Sends one cumulative ack for every leading publish whose write is done. */
  flush(): void {
    let last = 0;
    while (this.seqs.length > 0 && (this.tickets.peek() as number) <= this.writtenTicket) {
      last = this.seqs.shift() as number;
      this.tickets.shift();
    }
    if (last > 0) this.sink.send({ type: 'publish.ack', seq: last, multiple: true });
    if (this.paused && this.seqs.length <= this.window / 2) {
      this.paused = false;
      this.sink.socket.resume();
    }
  }

  /** The connection is gone: nothing more is sent. */
  abandon(): void {
    this.abandoned = true;
    this.seqs.clear();
    this.tickets.clear();
  }

  private written(ticket: number, error: Error | undefined): void {
    if (this.abandoned) return;
    if (error !== undefined) {
      const failure = new WarrenError('store_failed', `the store could not write the message: ${error.message}`);
      while (this.seqs.length > 0 && (this.tickets.peek() as number) <= ticket) {
        this.nack(this.seqs.shift() as number, failure);
        this.tickets.shift();
      }
    }
    if (ticket > this.writtenTicket) this.writtenTicket = ticket;
    this.flush();
  }
}
