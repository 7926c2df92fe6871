/** Waiting on deliveries in tests: by event, never by sleeping. */
import type { Client, ConsumeOptions, Consumer, Message } from '@warren/client';

/** Consumes until `count` messages arrived (the handler does not settle them), then cancels. */
export async function take(client: Client, queue: string, count: number, options: ConsumeOptions = {}): Promise<Message[]> {
  const got: Message[] = [];
  let consumer: Consumer | undefined;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  consumer = await client.consume(
    queue,
    (m) => {
      got.push(m);
      if (got.length === count) done();
    },
    { prefetch: 0, ...options },
  );
  if (count === 0) done();
  await finished;
  await consumer.cancel();
  return got;
}

/** Queue depth as the broker reports it: declare passive. */
export async function depth(client: Client, queue: string): Promise<number> {
  return (await client.declareQueue(queue, { passive: true })).messageCount;
}

export const texts = (messages: Message[]): string[] => messages.map((m) => m.text());
