/**
 * `client.messages(queue)`: a consumer read as an async iterator. The consumer starts on the
 * first next(); breaking out of the loop (return()) cancels it and requeues what was delivered
 * but not yet handed out. The buffer needs no limit of its own: the broker stops at `prefetch`
 * unacked deliveries, so it holds at most that many (with `noAck` the broker does not count).
 */
import type { WarrenError } from '@warren/protocol/wire';
import type { Sink } from './consumers.js';
import { Fifo } from './fifo.js';
import type { Message } from './message.js';

interface Waiter {
  resolve(result: IteratorResult<Message>): void;
  reject(error: WarrenError): void;
}

const DONE: IteratorResult<Message> = { done: true, value: undefined };

export class MessageStream implements AsyncIterableIterator<Message>, Sink {
  private readonly buffer = new Fifo<Message>();
  private readonly waiters = new Fifo<Waiter>();
  private started: Promise<string> | undefined;
  private tag: string | undefined;
  private ended = false;
  private error: WarrenError | undefined;
  /** return() was called: later deliveries go straight back to the queue. */
  private stopped = false;

  constructor(
    private readonly start: (sink: Sink) => Promise<string>,
    private readonly cancel: (tag: string) => Promise<void>,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Message>> {
    if (this.started === undefined) {
      this.started = this.start(this);
      this.started.then(
        (tag) => (this.tag = tag),
        (error: WarrenError) => this.end(error),
      );
    }
    const message = this.buffer.shift();
    if (message !== undefined) return Promise.resolve({ done: false, value: message });
    if (this.ended) return this.error === undefined ? Promise.resolve(DONE) : Promise.reject(this.error);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<Message>> {
    if (this.stopped) return DONE;
    this.stopped = true;
    // Cancel first, in the same batch as the nacks, so the broker does not hand them straight back.
    const cancelled = this.tag !== undefined ? this.cancel(this.tag) : this.started?.then((tag) => this.cancel(tag));
    for (const message of this.buffer.drain()) message.nack({ requeue: true });
    this.end(undefined);
    await cancelled?.catch(() => {});
    return DONE;
  }

  deliver(message: Message): void {
    if (this.stopped) message.nack({ requeue: true });
    else {
      const waiter = this.waiters.shift();
      if (waiter !== undefined) waiter.resolve({ done: false, value: message });
      else this.buffer.push(message);
    }
  }

  end(error: WarrenError | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    for (const waiter of this.waiters.drain()) {
      if (error === undefined) waiter.resolve(DONE);
      else waiter.reject(error);
    }
  }
}
