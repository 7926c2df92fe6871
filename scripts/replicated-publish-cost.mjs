#!/usr/bin/env node
/**
 * What one message costs on the replicated path (issue 21, point 9): three real nodes, one
 * replicated queue, one producer with confirms (persistent, 256-byte bodies, a window of
 * unconfirmed publishes) and one consumer with manual acks (prefetch 200). Prints msgs/s and, per
 * node, CPU µs per message (user + system from /proc/<pid>/stat): CPU per message is meaningful
 * on a busy machine where rates are not.
 *
 *   node scripts/replicated-publish-cost.mjs [--messages 20000] [--window 250] [--placement apart|leader]
 *
 * apart: the producer on one follower, the consumer on the other (every publish forwarded, every
 * delivery posted); leader: both on the leader's node. `--node-args="--cpu-prof --cpu-prof-dir=DIR"`
 * profiles the nodes (a profile per node, written when it stops). Only the PIDs started here are signalled.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '@warren/client';
import { freePort, launchBroker } from '@warren/server/launch';

const IDS = ['cost-a', 'cost-b', 'cost-c'];
const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
const { values } = parseArgs({ options: { messages: { type: 'string', default: '20000' }, window: { type: 'string', default: '250' }, placement: { type: 'string', default: 'apart' }, 'node-args': { type: 'string', default: '' } } });
const TOTAL = Number(values.messages);

async function start(id, dataDir, clusterPort, peers, secret) {
  const nodeArgs = values['node-args'].split(' ').filter(Boolean);
  const launched = await launchBroker({ dataDir, nodeArgs, env: { WARREN_NODE_ID: id, WARREN_CLUSTER_PORT: String(clusterPort), WARREN_PEERS: peers, WARREN_CLUSTER_SECRET: secret } });
  return { id, child: launched.child, exited: launched.exited, url: launched.url, dataDir };
}

const cpuTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

const secret = randomBytes(18).toString('base64url');
const ports = await Promise.all(IDS.map(() => freePort()));
const peers = IDS.map((id, i) => `${id}@127.0.0.1:${ports[i]}`).join(',');
const nodes = await Promise.all(IDS.map(async (id, i) => start(id, await mkdtemp(join(tmpdir(), `warren-cost-${id}-`)), ports[i], peers, secret)));
const clients = [];
try {
  const http = (node) => node.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
  const put = await fetch(`${http(nodes[0])}/api/queues/%2F/cost`, { method: 'PUT', headers: { authorization: GUEST, 'content-type': 'application/json' }, body: JSON.stringify({ durable: true, arguments: { 'x-queue-type': 'replicated' } }) });
  if (put.status >= 300) throw new Error(`declare: ${put.status} ${await put.text()}`);
  let leader = null;
  while (leader === null) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    leader = JSON.parse(await (await fetch(`${http(nodes[0])}/api/queues/%2F/cost`, { headers: { authorization: GUEST } })).text()).leader ?? null;
  }
  const leaderNode = nodes.find((n) => n.id === leader);
  const others = nodes.filter((n) => n !== leaderNode);
  const [producerNode, consumerNode] = values.placement === 'leader' ? [leaderNode, leaderNode] : others;
  const producer = await connect(producerNode.url, { publishWindow: Number(values.window) });
  const consumer = await connect(consumerNode.url);
  clients.push(producer, consumer);
  const body = new Uint8Array(256);
  let received = 0;
  let done;
  const drained = new Promise((resolve) => (done = resolve));
  await consumer.consume(
    'cost',
    (message) => {
      message.ack();
      if (++received === TOTAL) done();
    },
    { prefetch: 200 },
  );
  // A warm-up that is not counted, then the measured run.
  await Promise.all(Array.from({ length: 500 }, () => producer.publish('', 'cost', body, { persistent: true })));
  while (received < 500) await new Promise((resolve) => setTimeout(resolve, 20));
  received -= 500;
  const before = nodes.map((n) => cpuTicks(n.child.pid));
  const started = performance.now();
  const confirms = [];
  for (let i = 0; i < TOTAL; i++) confirms.push(producer.publish('', 'cost', body, { persistent: true }));
  await Promise.all(confirms);
  await drained;
  const seconds = (performance.now() - started) / 1000;
  const perMessage = nodes.map((n, i) => ((cpuTicks(n.child.pid) - before[i]) * 10_000) / TOTAL);
  const role = (n) => (n === leaderNode ? 'leader' : '') + (n === producerNode ? ' producer' : '') + (n === consumerNode ? ' consumer' : '');
  process.stdout.write(`${TOTAL} messages (${values.placement}) in ${seconds.toFixed(1)} s: ${(TOTAL / seconds).toFixed(0)} msgs/s confirmed and acked\n`);
  for (const [i, n] of nodes.entries()) process.stdout.write(`  ${n.id} (${role(n).trim() || 'follower'}): ${perMessage[i].toFixed(0)} µs CPU / message\n`);
  process.stdout.write(`  all three: ${perMessage.reduce((a, b) => a + b, 0).toFixed(0)} µs CPU / message\n`);
} finally {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(
    nodes.map(async (n) => {
      n.child.kill('SIGTERM');
      await n.exited;
      await rm(n.dataDir, { recursive: true, force: true });
    }),
  );
}
