// Where a three-node cluster's latency tail comes from: three Warren nodes (the shared launcher,
// so the broker's own Node flags), one replicated queue, a producer on its leader paced at a fixed
// rate with confirms, a consumer with manual ack on another node (a process of its own), as in
// `cluster3-quorum-fixed-2000`. Prints p50 / p90 / p99 / max of end-to-end and confirm latency
// after the first second, then the worst 100 ms windows with every non-JSON line the nodes wrote
// around them: run it with `--node-args=--trace-gc` to see each node's collections there.
// Usage: node apps/bench/probes/cluster-tail.mjs [--seconds 10] [--rate 2000] [--node-args="--trace-gc …"]
//        [--env='{"WARREN_…":"…"}'] [--windows 8]
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { connect } from '@warren/client';
import { freePort, launchBroker } from '@warren/server/launch';

const QUEUE = 'probe.quorum';
const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
const now = () => performance.timeOrigin + performance.now();
const stampOf = (body) => new DataView(body.buffer, body.byteOffset, 8).getFloat64(0, true);

if (process.argv[2] === 'consumer') {
  const client = await connect(process.argv[3], { WebSocket, name: 'probe-consumer' });
  const samples = [];
  await client.consume(
    QUEUE,
    (message) => {
      const sent = stampOf(message.body);
      samples.push(sent, now() - sent);
      message.ack();
    },
    { prefetch: 200 },
  );
  process.send({ ready: true });
  process.on('message', async () => {
    await client.close();
    process.send({ samples }, () => process.exit(0));
  });
} else {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      rate: { type: 'string', default: '2000' },
      'node-args': { type: 'string', default: '' },
      env: { type: 'string', default: '{}' },
      windows: { type: 'string', default: '8' },
    },
  });
  const seconds = Number(values.seconds);
  const perMs = Number(values.rate) / 1000;
  const nodeArgs = values['node-args'].split(' ').filter(Boolean);
  const env = JSON.parse(values.env);
  const ports = [];
  while (ports.length < 3) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const peers = ports.map((port, i) => `probe-${i + 1}@127.0.0.1:${port}`).join(',');
  const secret = randomBytes(24).toString('hex');
  const lines = [];
  const nodes = await Promise.all(
    ports.map((port, i) =>
      launchBroker({
        name: `probe-${i + 1}`,
        nodeArgs,
        stderr: 'pipe',
        env: { WARREN_NODE_ID: `probe-${i + 1}`, WARREN_CLUSTER_PORT: String(port), WARREN_PEERS: peers, WARREN_CLUSTER_SECRET: secret, ...env },
        onLine: (line, entry) => {
          if (entry === undefined) lines.push([now(), i, line]);
        },
      }),
    ),
  );
  try {
    for (const node of nodes) await until(async () => (await fetch(`${node.httpUrl}/readyz`).catch(() => undefined))?.ok === true);
    const setup = await connect(nodes[0].url, { WebSocket });
    await setup.declareQueue(QUEUE, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await setup.close();
    let leader = -1;
    // The preferred leader (the first member) takes over within seconds of an election elsewhere.
    await until(async () => {
      const view = await (await fetch(`${nodes[0].httpUrl}/api/queues/%2F/${QUEUE}`, { headers: { authorization: GUEST } })).json();
      leader = view.leader !== null && view.leader === view.members?.[0] ? Number(view.leader.split('-')[1]) - 1 : -1;
      return leader >= 0;
    });
    const consumer = fork(new URL(import.meta.url).pathname, ['consumer', nodes[(leader + 1) % 3].url]);
    await new Promise((resolve) => consumer.once('message', resolve));
    const producer = await connect(nodes[leader].url, { WebSocket, name: 'probe-producer' });
    const start = now();
    const confirms = [];
    let sent = 0;
    await new Promise((resolve) => {
      const tick = () => {
        const elapsed = now() - start;
        if (elapsed > seconds * 1000) return resolve();
        while (sent < Math.floor(elapsed * perMs)) {
          const body = Buffer.alloc(100);
          const at = now();
          body.writeDoubleLE(at, 0);
          sent++;
          void producer.publish('', QUEUE, body, { persistent: true }).then(() => confirms.push(at, now() - at));
        }
        setTimeout(tick, 1);
      };
      tick();
    });
    await until(async () => confirms.length / 2 >= sent);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const samples = await new Promise((resolve) => {
      consumer.on('message', (message) => message.samples !== undefined && resolve(message.samples));
      consumer.send('stop');
    });
    await producer.close();
    const from = start + 1000;
    const delivered = pairs(samples).filter(([at]) => at > from);
    const confirmed = pairs(confirms).filter(([at]) => at > from);
    console.log(`leader probe-${leader + 1}, consumer on probe-${((leader + 1) % 3) + 1}, ${delivered.length} messages after the first second`);
    console.log(`end to end: ${summary(delivered.map(([, ms]) => ms))}`);
    console.log(`confirm:    ${summary(confirmed.map(([, ms]) => ms))}`);
    const worst = new Map();
    for (const [at, ms] of delivered) {
      const window = Math.floor((at - start) / 100);
      worst.set(window, Math.max(worst.get(window) ?? 0, ms));
    }
    for (const [window, ms] of [...worst].sort((a, b) => b[1] - a[1]).slice(0, Number(values.windows))) {
      const t0 = start + window * 100;
      console.log(`window at ${(window / 10).toFixed(1)} s: max ${ms.toFixed(1)} ms`);
      for (const [at, node, line] of lines) {
        if (at > t0 - 150 && at < t0 + ms + 150) console.log(`  ${((at - start) / 1000).toFixed(3)} s probe-${node + 1}: ${line.slice(0, 180)}`);
      }
    }
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
}

function pairs(flat) {
  const out = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(1);
  return `p50 ${at(0.5)} ms, p90 ${at(0.9)}, p99 ${at(0.99)}, max ${sorted.at(-1).toFixed(1)}`;
}

async function until(check, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
