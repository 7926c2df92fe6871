// The one-minute tour: publish a few messages to a durable queue and consume them.
// Start a broker first (`npm start`), then run: node examples/tour.mjs
import { connect } from '@warren/client';

const client = await connect(process.env.WARREN_URL ?? 'ws://127.0.0.1:5680/ws');

await client.declareExchange('orders', 'topic');
const { queue } = await client.declareQueue('orders.eu', { durable: true });
await client.bind(queue, 'orders', 'order.eu.*');

// Each publish resolves once the broker has the message on disk (publisher confirm).
await client.publish('orders', 'order.eu.created', { id: 1, total: 42 });
await client.publish('orders', 'order.eu.paid', { id: 1 }, { headers: { attempt: 1 } });

let seen = 0;
for await (const m of client.messages(queue, { prefetch: 10 })) {
  console.log(m.routingKey, m.json(), { redelivered: m.redelivered, deliveryCount: m.deliveryCount });
  m.ack();
  if (++seen === 2) break; // leaving the loop cancels the consumer
}
await client.close();
