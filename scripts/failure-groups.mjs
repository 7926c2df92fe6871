// Grouping a deep dead-letter queue (issue 22, Failures page): N persistent ~1 KB JSON messages
// are rejected, each with one of a few errors, from two work queues into one durable dead-letter
// queue (most of it paged out to LevelDB) in a broker process of its own; then
// `GET /api/queues/%2F/{dlq}/failures` groups the whole queue, three times, printing each time,
// the groups and the broker's RSS before and at peak. The first reads every message; the others
// are answered from that scan, the queue being unchanged (core's FailureScans).
// Usage: node scripts/failure-groups.mjs [messages=100000]   (needs a build: npx -y pnpm@10.34.8 build)
import { connect } from '@warren/client';
import { startBrokerProcess } from './broker-process.mjs';

const total = Number(process.argv[2] ?? 100_000);
const broker = await startBrokerProcess('failures');
const { httpUrl, rssMb } = broker;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 20);

const client = await connect(broker.url);
await client.declareExchange('dead', 'fanout');
await client.declareQueue('dead.letters', { durable: true });
await client.bind('dead.letters', 'dead', '');
const works = ['orders', 'payments'];
for (const work of works) await client.declareQueue(work, { durable: true, arguments: { 'x-dead-letter-exchange': 'dead' } });
const errors = ['timeout', 'bad json', 'card declined', 'out of stock', null];

let started = performance.now();
const padding = 'x'.repeat(900);
const inFlight = new Set();
for (let i = 0; i < total; i++) {
  const p = client.publish('', works[i % works.length], { order: { id: i, note: padding } }, { persistent: true });
  inFlight.add(p);
  p.finally(() => inFlight.delete(p));
  if (inFlight.size >= 2000) await Promise.race(inFlight);
}
await Promise.all(inFlight);
let rejected = 0;
await new Promise((resolve) => {
  for (const work of works) {
    void client.consume(work, (m) => {
      const error = errors[m.json().order.id % errors.length];
      m.reject({ requeue: false, ...(error === null ? {} : { error }) });
      if (++rejected === total) resolve();
    }, { prefetch: 1000 });
  }
});
const queueView = async () => (await fetch(`${httpUrl}/api/queues/%2F/dead.letters`)).json();
let view = await queueView();
while (view.messages_ready < total) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  view = await queueView();
}
console.log(
  `dead-lettered ${total} x ~1 KB JSON in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
    `${view.messages_ready} ready, ${view.messages_ram} in RAM, ${view.messages_paged_out} paged out; broker RSS ${rssMb().toFixed(0)} MB`,
);

for (let round = 1; round <= 3; round++) {
  const before = rssMb();
  peak = before;
  started = performance.now();
  const result = await (await fetch(`${httpUrl}/api/queues/%2F/dead.letters/failures`)).json();
  const ms = performance.now() - started;
  const groups = result.groups.map((g) => `${g.source_queue}/${g.last_error ?? '-'}: ${g.count}`).join(', ');
  console.log(`group ${round}: ${result.scanned} messages in ${ms.toFixed(0)} ms, ${result.groups.length} groups (${groups}); broker RSS before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`);
}

clearInterval(sampler);
await client.close();
await broker.stop();
