/**
 * A consumer that hands each message to a callback. The handler settles its messages; one that
 * throws or rejects gets its message nacked with requeue (unless already settled, or no_ack),
 * so the message goes back to the queue and a handler bug cannot crash the connection.
 */
import type { Sink } from './consumers.js';
import type { Message } from './message.js';

export type MessageHandler = (message: Message) => void | Promise<void>;

export interface Consumer {
  readonly tag: string;
  /** Stops deliveries; messages already delivered must still be settled. */
  cancel(): Promise<void>;
}

export function handlerSink(handler: MessageHandler): Sink {
  const requeue = (message: Message): void => {
    if (!message.settled) message.nack({ requeue: true });
  };
  return {
    deliver(message) {
      try {
        const result: unknown = handler(message);
        if (isThenable(result)) result.then(undefined, () => requeue(message));
      } catch {
        requeue(message);
      }
    },
    end() {},
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
