// What a Prometheus scrape costs with many queues (issue 24, point 1): declares N queues (each
// with a few messages, a tenth with a consumer) in a broker process of its own, then times
// GET /metrics (summed) and GET /metrics/per-object, 20 scrapes each, printing the median and
// worst time and the response size.
// Usage: node scripts/metrics-scrape.mjs [queues=10000]   (needs a build: npx -y pnpm@10.34.8 build)
import { connect } from '@warren/client';
import { startBrokerProcess } from './broker-process.mjs';

const queues = Number(process.argv[2] ?? 10_000);
const broker = await startBrokerProcess('metrics');
const client = await connect(broker.url);
const pending = new Set();
const limit = async (p) => {
  pending.add(p);
  p.finally(() => pending.delete(p));
  if (pending.size >= 500) await Promise.race(pending);
};
for (let i = 0; i < queues; i++) {
  await limit(client.declareQueue(`q-${i}`).then(() => client.publish('', `q-${i}`, `m-${i}`)));
}
await Promise.all(pending);
for (let i = 0; i < queues; i += 10) await client.consume(`q-${i}`, () => {}, { prefetch: 1 });

async function time(path) {
  const times = [];
  let bytes = 0;
  for (let i = 0; i < 22; i++) {
    const started = performance.now();
    const response = await fetch(`${broker.httpUrl}${path}`);
    bytes = (await response.text()).length;
    if (i >= 2) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${path.padEnd(20)} ${queues} queues: median ${median.toFixed(1)} ms, worst ${times.at(-1).toFixed(1)} ms, ${(bytes / 1024).toFixed(0)} KiB`);
}

await time('/metrics');
await time('/metrics/per-object');
await client.close();
await broker.stop();
