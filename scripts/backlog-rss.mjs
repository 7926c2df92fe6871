// Peak shaving measured: fills one durable queue with N persistent messages of 1 KB through a
// broker process of its own, drains it, and prints the broker's peak RSS during each phase.
// Usage: node scripts/backlog-rss.mjs [messages=2000000]   (needs a build: npx -y pnpm@10.34.8 build)
import { connect } from '@warren/client';
import { startBrokerProcess } from './broker-process.mjs';

const total = Number(process.argv[2] ?? 2_000_000);
const broker = await startBrokerProcess('backlog');
const url = broker.url;

const rssMb = broker.rssMb;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 100);
const memory = async () => {
  const m = (await (await fetch(url.replace(/^ws/, 'http').replace(/\/ws$/, '/api/overview'))).json()).memory;
  return Object.entries(m).map(([k, v]) => `${k} ${(v / 1048576).toFixed(0)}`).join(', ');
};
const rssParts = () =>
  broker.status()
    .split('\n')
    .filter((line) => /^Rss(Anon|File)/.test(line))
    .map((line) => line.replace(/\s+/g, ' '))
    .join(', ');
const phase = (name, started) => {
  console.log(`${name}: ${((performance.now() - started) / 1000).toFixed(1)} s, broker peak RSS ${peak.toFixed(0)} MB, now ${rssMb().toFixed(0)} MB (${rssParts()})`);
  peak = 0;
};

const client = await connect(url);
await client.declareQueue('backlog', { durable: true });
const body = new Uint8Array(1024).fill(120);
let started = performance.now();
const inFlight = new Set();
for (let i = 0; i < total; i++) {
  const p = client.publish('', 'backlog', body, { persistent: true });
  inFlight.add(p);
  p.finally(() => inFlight.delete(p));
  if (inFlight.size >= 2000) await Promise.race(inFlight);
  if (i % 200_000 === 0 && i > 0) console.log(`  published ${i}, broker MB: ${await memory()}`);
}
await Promise.all(inFlight);
phase(`published ${total} x 1 KB persistent (confirmed)`, started);
const { messageCount } = await client.declareQueue('backlog', { passive: true });
console.log(`queue depth ${messageCount}`);

started = performance.now();
let consumed = 0;
await new Promise((resolve) => {
  client.consume('backlog', (m) => {
    m.ack();
    if (++consumed % 200_000 === 0) void memory().then((m) => console.log(`  consumed ${consumed}, broker MB: ${m}`));
    if (consumed === total) resolve();
  }, { prefetch: 500 });
});
phase(`consumed ${total} (paged in from LevelDB)`, started);

clearInterval(sampler);
await client.close();
await broker.stop();
