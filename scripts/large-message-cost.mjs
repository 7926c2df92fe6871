// What one large message costs the broker, in CPU microseconds: a fixed number of transient
// messages (64 KiB by default) published with 256 unconfirmed at most and consumed with no-ack,
// the broker's user + system time read from /proc/<pid>/stat before and after. Unlike a rate,
// CPU per message holds up on a busy machine; run it a few times, alternating the builds you
// compare. Add FIXED_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" to profile the broker.
// Usage: node scripts/large-message-cost.mjs [messages] [bytes]   (after the build)
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { connect } from '@warren/client';
import { launchBroker } from '@warren/server/launch';

const count = Number(process.argv[2] ?? 5000);
const size = Number(process.argv[3] ?? 64 * 1024);
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const broker = await launchBroker({ name: 'cost', nodeArgs: (process.env.FIXED_NODE_ARGS ?? '').split(' ').filter(Boolean) });
const publisher = await connect(broker.url, { WebSocket });
const consumer = await connect(broker.url, { WebSocket });
await publisher.declareQueue('cost', { durable: false });
let received = 0;
let allReceived;
const done = new Promise((resolve) => (allReceived = resolve));
await consumer.consume('cost', () => void (++received === count && allReceived()), { noAck: true });

const body = Buffer.alloc(size);
const cpuBefore = cpuSeconds(broker.pid);
const startedAt = performance.now();
let unconfirmed = 0;
let sent = 0;
await new Promise((resolve) => {
  const pump = () => {
    while (sent < count && unconfirmed < 256) {
      unconfirmed++;
      sent++;
      void publisher.publish('', 'cost', body).then(() => {
        unconfirmed--;
        if (sent < count) pump();
        else if (unconfirmed === 0) resolve();
      });
    }
  };
  pump();
});
await done;
const seconds = (performance.now() - startedAt) / 1000;
const cpu = cpuSeconds(broker.pid) - cpuBefore;
console.log(`${count} messages of ${size} B: broker ${Math.round((1e6 * cpu) / count)} µs CPU per message, ${Math.round(count / seconds)} msgs/s`);
await publisher.close();
await consumer.close();
await broker.stop();
