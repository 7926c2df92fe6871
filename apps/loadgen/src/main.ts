#!/usr/bin/env node
/**
 * A small, steady load for the compose demo, so the dashboards move on first start: an order
 * stream published to a topic exchange, one consumer that acks most messages and rejects a few
 * (they dead-letter), and now and then an unroutable publish. It reconnects when the broker goes.
 * Settings (environment): WARREN_URL (comma-separated list of ws:// URLs, default
 * ws://127.0.0.1:5680/ws), LOADGEN_RATE (messages per second, default 50), LOADGEN_REJECT
 * (fraction rejected, default 0.05).
 */
import WebSocket from 'ws';
import { connect, type Client } from '@warren/client';

const urls = (process.env.WARREN_URL ?? 'ws://127.0.0.1:5680/ws').split(',').map((u) => u.trim()).filter((u) => u !== '');
const rate = Number(process.env.LOADGEN_RATE ?? 50);
const rejectShare = Number(process.env.LOADGEN_REJECT ?? 0.05);
const REGIONS = ['eu', 'us', 'ap'];

async function topology(client: Client): Promise<void> {
  await client.declareExchange('demo.orders', 'topic');
  await client.declareExchange('demo.dlx', 'fanout');
  await client.declareQueue('demo.dead');
  await client.bind('demo.dead', 'demo.dlx', '');
  for (const region of REGIONS) {
    await client.declareQueue(`demo.orders.${region}`, { arguments: { 'x-dead-letter-exchange': 'demo.dlx' } });
    await client.bind(`demo.orders.${region}`, 'demo.orders', `order.${region}.*`);
  }
}

async function session(url: string): Promise<void> {
  const client = await connect(url, { name: 'warren-loadgen', WebSocket });
  await topology(client);
  for (const region of REGIONS) {
    await client.consume(
      `demo.orders.${region}`,
      (message) => {
        if (Math.random() < rejectShare) message.reject({ requeue: false });
        else message.ack();
      },
      { prefetch: 100 },
    );
  }
  let n = 0;
  const timer = setInterval(() => {
    const region = REGIONS[n % REGIONS.length]!;
    const key = n % 97 === 0 ? 'order.nowhere.created' : `order.${region}.created`;
    client.publish('demo.orders', key, { order: n, region, total: Math.round(Math.random() * 10_000) / 100 }).catch(() => {});
    n++;
  }, 1000 / rate);
  process.stdout.write(`${JSON.stringify({ msg: 'loadgen publishing', url, rate })}\n`);
  await client.closed;
  clearInterval(timer);
}

let attempt = 0;
for (;;) {
  const url = urls[attempt % urls.length]!;
  try {
    await session(url);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ msg: 'loadgen waiting for the broker', url, err: (error as Error).message })}\n`);
  }
  attempt++;
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
