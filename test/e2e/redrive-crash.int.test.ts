/**
 * kill -9 in the middle of redriving 10,000 dead letters: the redrive job resumes after the
 * restart, and when it is done every message is in exactly one place, none lost, none doubled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@warren/client';
import { spawnBroker, tempDir, type BrokerProcess } from '../support/broker.js';
import { depth, take } from '../support/messages.js';
import { call } from '../support/http.js';
import { redriveJobEnd } from '../support/redrive.js';

const TOTAL = 10_000;

let running: BrokerProcess | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await running?.kill9();
  await dir?.remove();
});

async function queueDepth(httpUrl: string, name: string): Promise<number> {
  const view = (await (await fetch(`${httpUrl}/api/queues/%2F/${name}`)).json()) as { messages: number };
  return view.messages;
}

describe('redrive and kill -9', () => {
  it('leaves every message in exactly one place', async () => {
    dir = await tempDir();
    running = await spawnBroker(dir.path);
    const client = await connect(running.url);
    await client.declareExchange('dead', 'fanout');
    await client.declareQueue('orders.dlq');
    await client.bind('orders.dlq', 'dead');
    await client.declareQueue('orders', { arguments: { 'x-dead-letter-exchange': 'dead' } });
    await Promise.all(Array.from({ length: TOTAL }, (_, i) => client.publish('', 'orders', `o${i}`)));
    let rejected = 0;
    await new Promise<void>((resolve) => {
      void client.consume('orders', (m) => {
        m.reject({ requeue: false });
        if (++rejected === TOTAL) resolve();
      }, { prefetch: 1000 });
    });
    await expect.poll(() => depth(client, 'orders.dlq'), { timeout: 20_000 }).toBe(TOTAL);
    await client.close();

    // Paced, so that the kill lands while the job is moving.
    const { body: job } = await call(running.httpUrl, 'POST', '/api/queues/%2F/orders.dlq/redrive', { rate: 2000 });
    // Kill once the redrive is under way, not before and not after.
    await expect.poll(() => queueDepth(running!.httpUrl, 'orders'), { interval: 5, timeout: 20_000 }).toBeGreaterThan(0);
    const movedBeforeKill = await queueDepth(running.httpUrl, 'orders');
    await running.kill9();

    running = await spawnBroker(dir.path);
    const resumed = await redriveJobEnd(running.httpUrl, job.id);
    const after = await connect(running.url);
    const inOrigin = await depth(after, 'orders');
    const inDlq = await depth(after, 'orders.dlq');
    process.stdout.write(`redrive killed after ${movedBeforeKill} moved; resumed job: ${JSON.stringify(resumed)}\n`);
    expect(movedBeforeKill).toBeLessThan(TOTAL);
    expect(resumed).toMatchObject({ state: 'completed', matched: TOTAL, moved: TOTAL, remaining: 0 });
    expect([inOrigin, inDlq]).toEqual([TOTAL, 0]);
    const bodies = [...(await take(after, 'orders', inOrigin)), ...(await take(after, 'orders.dlq', inDlq))].map((m) => m.text());
    expect(new Set(bodies).size).toBe(TOTAL);
    expect(bodies.filter((b) => !/^o\d+$/.test(b))).toEqual([]);
    await after.close();
  });
});
