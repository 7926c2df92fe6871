// What a dedup window costs a publisher (issue 10, part 4; docs/dedup.md): one broker process of
// its own, one client publishing 100-byte messages, each with a messageId of its own, at most
// 1,000 unconfirmed, into a queue with no consumer. Runs alternate between a queue without and a
// queue with x-dedup-window (each run a fresh queue; ABBA order, so drift cancels out), for
// persistent messages into a durable queue and transient ones into a non-durable queue. Prints the
// medians of confirmed publishes/s and of the broker's CPU time per message (user + system, from
// /proc: steadier than the rate on a busy machine).
// Usage: node scripts/dedup-rate.mjs [messages=50000] [runs=4]   (needs a build: npx -y pnpm@10.34.8 build)
import { readFileSync } from 'node:fs';
import { connect } from '@warren/client';
import { startBrokerProcess } from './broker-process.mjs';

const total = Number(process.argv[2] ?? 50_000);
const runs = Number(process.argv[3] ?? 4);
const broker = await startBrokerProcess('dedup-rate');
const url = broker.url;

const client = await connect(url, { publishWindow: 1_000 });
/** The broker's CPU time so far, µs (utime + stime, in clock ticks of 10 ms). */
const brokerCpu = () => {
  const fields = readFileSync(`/proc/${broker.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};
const body = new Uint8Array(100);
let queues = 0;

async function rate(persistent, window) {
  const queue = `rate-${queues++}`;
  await client.declareQueue(queue, { durable: persistent, arguments: window ? { 'x-dedup-window': 600_000 } : {} });
  const started = performance.now();
  const cpuBefore = brokerCpu();
  const confirms = [];
  for (let i = 0; i < total; i++) confirms.push(client.publish('', queue, body, { persistent, messageId: `${queue}-${i}` }));
  await Promise.all(confirms);
  const result = { rate: total / ((performance.now() - started) / 1000), cpu: (brokerCpu() - cpuBefore) / total };
  await client.deleteQueue(queue);
  return result;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  for (const persistent of [true, false]) {
    const without = [];
    const withWindow = [];
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? [false, true] : [true, false];
      for (const window of order) (window ? withWindow : without).push(await rate(persistent, window));
    }
    const kind = persistent ? 'persistent, durable queue' : 'transient, non-durable queue';
    const summary = (results) => {
      const rate = median(results.map((r) => r.rate));
      const cpu = median(results.map((r) => r.cpu));
      return `${rate.toFixed(0)} msgs/s, broker CPU ${cpu.toFixed(1)} µs/msg`;
    };
    console.log(`${kind}: without window ${summary(without)}; with window ${summary(withWindow)}`);
  }
} finally {
  await client.close();
  await broker.stop();
}
