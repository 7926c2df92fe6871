// Searching a deep durable queue without disturbing it (issue 11, point 1): fills one durable
// queue with N persistent 1 KB JSON messages (most paged out to LevelDB) through a broker process
// of its own, then searches it for a rare match, over HTTP (`POST …/get` with a JSON-path filter)
// and with client.browse(), printing each search's time and the broker's RSS before and at peak.
// Usage: node scripts/browse-search.mjs [messages=100000]   (needs a build: npx -y pnpm@10.34.8 build)
import { connect } from '@warren/client';
import { startBrokerProcess } from './broker-process.mjs';

const total = Number(process.argv[2] ?? 100_000);
const broker = await startBrokerProcess('search');
const url = broker.url;
const httpUrl = broker.httpUrl;

const rssMb = broker.rssMb;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 20);

const client = await connect(url);
await client.declareQueue('search', { durable: true });
// One message in 25,000 is a needle; each body is about 1 KB of JSON.
const padding = 'x'.repeat(900);
const inFlight = new Set();
let started = performance.now();
for (let i = 0; i < total; i++) {
  const customer = i % 25_000 === 24_999 ? 'needle' : `c${i % 977}`;
  const p = client.publish('', 'search', { order: { id: i, customer: { id: customer }, note: padding } }, { persistent: true });
  inFlight.add(p);
  p.finally(() => inFlight.delete(p));
  if (inFlight.size >= 2000) await Promise.race(inFlight);
}
await Promise.all(inFlight);
const view = await (await fetch(`${httpUrl}/api/queues/%2F/search`)).json();
console.log(
  `published ${total} x ~1 KB JSON in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
    `${view.messages_ready} ready, ${view.messages_ram} in RAM, ${view.messages_paged_out} paged out; broker RSS ${rssMb().toFixed(0)} MB`,
);

const filter = { json_path: '$.order.customer.id', equals: 'needle' };
for (let round = 1; round <= 3; round++) {
  const before = rssMb();
  peak = before;
  started = performance.now();
  const response = await fetch(`${httpUrl}/api/queues/%2F/search/get`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'peek', count: 100, filter }),
  });
  const found = await response.json();
  console.log(
    `HTTP search ${round}: ${found.length} matches (ids ${found.map((m) => JSON.parse(m.payload).order.id).join(', ')}) in ` +
      `${(performance.now() - started).toFixed(0)} ms; broker RSS before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`,
  );
}

let before = rssMb();
peak = before;
started = performance.now();
let matches = 0;
for await (const m of client.browse('search', { filter, pageSize: 100 })) if (m.json().order.customer.id === 'needle') matches++;
console.log(`client.browse search: ${matches} matches in ${(performance.now() - started).toFixed(0)} ms; broker RSS before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`);

const after = await (await fetch(`${httpUrl}/api/queues/%2F/search`)).json();
console.log(`queue after the searches: ${after.messages_ready} ready (unchanged: ${after.messages_ready === total})`);

clearInterval(sampler);
await client.close();
await broker.stop();
