/**
 * What keeps working under a resource alarm (issue 12, part 6): a broker whose memory watermark
 * is one byte has its memory alarm up from the start, so what blocks and what does not can be
 * checked without racing a flood. A publishing connection is blocked after the publish that
 * reveals it (whose confirm still comes back); a connection that only consumes is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Client } from '@warren/client';
import { startBroker, type TestBroker } from '../support/broker.js';
import { take } from '../support/messages.js';

let broker: TestBroker;
const clients: Client[] = [];

beforeAll(async () => {
  broker = await startBroker({ memoryHighWatermark: { bytes: 1 } });
});

afterAll(async () => {
  // The broker first: a blocked connection's close is not read, the broker's shutdown ends it.
  await broker.dispose();
  for (const c of clients) await c.close();
});

async function client(): Promise<Client> {
  const c = await connect(broker.url);
  clients.push(c);
  return c;
}

describe('under a memory alarm', () => {
  it('blocks a publisher after its first publish, which is confirmed, while a consumer-only connection keeps consuming', async () => {
    const overview = await (await fetch(`${broker.httpUrl}/api/overview`)).json();
    expect(overview).toMatchObject({ mem_alarm: true, mem_limit: 1 });
    expect((await fetch(`${broker.httpUrl}/readyz`)).status).toBe(503);
    expect((await fetch(`${broker.httpUrl}/readyz?exclude=alarms`)).status).toBe(200);

    const publisher = await client();
    await publisher.declareQueue('work', { durable: false });
    const blocked = new Promise<{ reason: string }>((resolve) => publisher.on('blocked', resolve));
    await publisher.publish('', 'work', 'first');
    expect(await blocked).toEqual({ reason: 'memory' });
    expect(publisher.blocked).toBe(true);
    let heldSettled = false;
    const held = publisher.publish('', 'work', 'held').finally(() => (heldSettled = true));
    held.catch(() => {});

    const consumer = await client();
    await consumer.declareQueue('also-declared', { durable: false });
    const [first] = await take(consumer, 'work', 1);
    expect(first!.text()).toBe('first');
    first!.ack();
    // A round trip on the consumer's connection after the ack: the ack was read too.
    expect((await consumer.declareQueue('work', { passive: true })).messageCount).toBe(0);
    expect(consumer.blocked).toBe(false);
    expect(publisher.blocked).toBe(true);
    expect(heldSettled).toBe(false);
  });
});
