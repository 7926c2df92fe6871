/**
 * The client's connection state machine (docs/client-failover.md):
 *
 *   open ──lost──▶ disconnected ──▶ reconnecting ⇄ (next attempt) ──▶ open
 *     │                                   └──────▶ failed (attempts used up, or refused)
 *     └──ended by an error it does not reconnect from──▶ failed
 *   any state but failed ──close()──▶ closed
 *
 * `failed` and `closed` are final. Each change goes to the event listeners (`disconnected`,
 * `reconnecting`, `reconnected`, `failed`) and to every iterator from `client.states()`. Deciding
 * when to change is reconnector.ts's and client.ts's job.
 */
import type { WarrenError } from '@warren/protocol/wire';
import type { ClientEventHub } from './client-events.js';
import { Fifo } from './fifo.js';

export type ConnectionState =
  | { state: 'open'; url: string }
  | { state: 'disconnected'; url: string; error: WarrenError }
  | { state: 'reconnecting'; url: string; attempt: number; delay: number }
  | { state: 'failed'; error: WarrenError }
  | { state: 'closed' };

export type StateName = ConnectionState['state'];

const NEXT: Record<StateName, readonly StateName[]> = {
  open: ['disconnected', 'failed', 'closed'],
  disconnected: ['reconnecting', 'failed', 'closed'],
  reconnecting: ['reconnecting', 'open', 'failed', 'closed'],
  failed: [],
  closed: [],
};

interface Subscriber {
  buffer: Fifo<ConnectionState>;
  waiting: ((result: IteratorResult<ConnectionState>) => void) | undefined;
  done: boolean;
}

export class ConnectionStates {
  private state: ConnectionState;
  private attempts = 0;
  private readonly subscribers = new Set<Subscriber>();

  constructor(
    url: string,
    private readonly events: ClientEventHub,
  ) {
    this.state = { state: 'open', url };
  }

  get current(): ConnectionState {
    return this.state;
  }

  get final(): boolean {
    return NEXT[this.state.state].length === 0;
  }

  /** Moves to `next`; a change the machine does not allow is a bug in the caller and throws. */
  set(next: ConnectionState, renamedQueues: Record<string, string> = {}): void {
    if (!NEXT[this.state.state].includes(next.state)) throw new Error(`connection state ${this.state.state} cannot become ${next.state}`);
    this.state = next;
    this.announce(next, renamedQueues);
    for (const subscriber of this.subscribers) this.push(subscriber, next);
  }

  /** Every later change, as an async iterator that ends after `failed` or `closed`. */
  changes(): AsyncIterableIterator<ConnectionState> {
    const subscriber: Subscriber = { buffer: new Fifo(), waiting: undefined, done: this.final };
    if (!subscriber.done) this.subscribers.add(subscriber);
    const finish = (): IteratorResult<ConnectionState> => {
      subscriber.done = true;
      this.subscribers.delete(subscriber);
      return { done: true, value: undefined };
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => {
        const state = subscriber.buffer.shift();
        if (state !== undefined) return Promise.resolve({ done: false, value: state });
        if (subscriber.done) return Promise.resolve(finish());
        return new Promise((resolve) => (subscriber.waiting = resolve));
      },
      return: () => {
        subscriber.waiting?.({ done: true, value: undefined });
        subscriber.waiting = undefined;
        subscriber.buffer.drain();
        return Promise.resolve(finish());
      },
    };
  }

  private push(subscriber: Subscriber, state: ConnectionState): void {
    if (this.final) {
      subscriber.done = true;
      this.subscribers.delete(subscriber);
    }
    const waiting = subscriber.waiting;
    subscriber.waiting = undefined;
    if (waiting !== undefined) waiting({ done: false, value: state });
    else subscriber.buffer.push(state);
  }

  private announce(state: ConnectionState, renamedQueues: Record<string, string>): void {
    switch (state.state) {
      case 'disconnected':
        this.attempts = 0;
        return this.events.emit('disconnected', { url: state.url, error: state.error });
      case 'reconnecting':
        this.attempts = state.attempt;
        return this.events.emit('reconnecting', { url: state.url, attempt: state.attempt, delay: state.delay });
      case 'open':
        return this.events.emit('reconnected', { url: state.url, attempts: this.attempts, renamedQueues });
      case 'failed':
        return this.events.emit('failed', { error: state.error });
      case 'closed':
    }
  }
}
