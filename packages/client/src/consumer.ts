/**
 * A consumer that hands each message to a callback. The handler settles its messages; one that
 * throws or rejects gets its message nacked with requeue (unless already settled, or no_ack),
 * so the message goes back to the queue and a handler bug cannot crash the connection; what it
 * threw lands in the message's attempt log.
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
  const requeue = (message: Message, error: unknown): void => {
    if (!message.settled) message.nack({ requeue: true, error: error instanceof Error ? error : String(error) });
  };
  return {
    deliver(message) {
      try {
        const result: unknown = handler(message);
        if (isThenable(result)) result.then(undefined, (error: unknown) => requeue(message, error));
      } catch (error) {
        requeue(message, error);
      }
    },
    end() {},
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}
