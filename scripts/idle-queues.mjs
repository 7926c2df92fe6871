#!/usr/bin/env node
/**
 * Many queues cost little (issue 21, point 8): three real nodes (the built `warren` bin, each in
 * its own process, temp data dirs, 127.0.0.1 only) hold N idle replicated queues. It measures,
 * per node: CPU % while idle (from /proc/<pid>/stat of the PIDs it started), RSS and heap per
 * queue (with N queues minus with none, over N), the cluster port's traffic while idle (bytes/s,
 * frames/s, from /metrics), then kills one node with SIGKILL, restarts it on its data, and times
 * how long it takes to listen, to settle every group (each quiesced under a known leader: caught
 * up) and to lead its share again. Prints a table and writes JSON.
 *
 *   npm run bench:idle-queues -- [--queues 10000] [--window 30] [--concurrency 64] [--out idle-queues.json]
 *
 * Only the PIDs started here are ever signalled; data dirs are removed at the end.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, launchBroker } from '@warren/server/launch';

const IDS = ['idle-a', 'idle-b', 'idle-c'];
const GUEST = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
const CLK_TCK = 100;

const { values } = parseArgs({
  options: {
    queues: { type: 'string', default: '10000' },
    window: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '64' },
    out: { type: 'string', default: 'idle-queues.json' },
    'settle-timeout': { type: 'string', default: '900' },
  },
});
const N = Number(values.queues);
const WINDOW_S = Number(values.window);
const CONCURRENCY = Number(values.concurrency);
const SETTLE_TIMEOUT_MS = Number(values['settle-timeout']) * 1000;

const log = (text) => process.stderr.write(`[idle-queues ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const secret = randomBytes(18).toString('base64url');
const nodes = new Map();

async function spawnNode(id, peers) {
  const node = nodes.get(id);
  const started = performance.now();
  const launched = await launchBroker({
    dataDir: node.dataDir,
    stderr: 'pipe',
    // A node restarting with 10,000 queues takes a while to listen on a busy machine.
    readyTimeoutMs: 300_000,
    env: { WARREN_NODE_ID: id, WARREN_CLUSTER_PORT: String(node.clusterPort), WARREN_PEERS: peers, WARREN_CLUSTER_SECRET: secret },
  });
  node.child = launched.child;
  node.exited = launched.exited;
  node.url = launched.httpUrl;
  return performance.now() - started;
}

async function api(node, method, path, body) {
  const response = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: GUEST, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text };
}

/** The series of /metrics this bench reads, by name without the prefix. */
async function metrics(node) {
  // A node busy starting may not answer yet: no figures this time.
  const body = await api(node, 'GET', '/metrics').then(
    (r) => r.body,
    () => '',
  );
  const out = {};
  for (const line of body.split('\n')) {
    const match = /^warren_(cluster_\w+|raft_groups\w*)(?:\{[^}]*\})? ([\d.e+-]+)$/.exec(line);
    if (match) out[match[1]] = Number(match[2]);
  }
  return out;
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]) * 1024;
}

async function heapUsed(node, id) {
  const { body } = await api(node, 'GET', `/api/nodes/${encodeURIComponent(id)}`);
  return JSON.parse(body).memory.heap_used;
}

/** Per node over `seconds`: CPU %, RSS, heap and cluster-port traffic. */
async function measure(seconds) {
  const before = new Map();
  for (const [id, node] of nodes) before.set(id, { cpu: cpuTicks(node.child.pid), m: await metrics(node), t: performance.now() });
  await sleep(seconds * 1000);
  const out = {};
  for (const [id, node] of nodes) {
    const b = before.get(id);
    const m = await metrics(node);
    const elapsed = (performance.now() - b.t) / 1000;
    out[id] = {
      cpuPercent: ((cpuTicks(node.child.pid) - b.cpu) / CLK_TCK / elapsed) * 100,
      rss: rssBytes(node.child.pid),
      heapUsed: await heapUsed(node, id),
      sentBytesPerS: (m.cluster_sent_bytes_total - b.m.cluster_sent_bytes_total) / elapsed,
      receivedBytesPerS: (m.cluster_received_bytes_total - b.m.cluster_received_bytes_total) / elapsed,
      receivedFramesPerS: (m.cluster_received_frames_total - b.m.cluster_received_frames_total) / elapsed,
      writesPerS: (m.cluster_writes_total - b.m.cluster_writes_total) / elapsed,
      groups: m.raft_groups,
      awake: m.raft_groups_awake,
      led: m.raft_groups_led,
    };
  }
  return out;
}

/** Waits until every node runs every group, each quiesced under a known leader. */
async function settled(groups, ids = IDS) {
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  let last = '';
  for (;;) {
    const seen = await Promise.all(ids.map(async (id) => metrics(nodes.get(id))));
    const state = seen.map((m, i) => `${ids[i]} ${m.raft_groups_settled}/${m.raft_groups} settled, ${m.raft_groups_awake} awake, ${m.raft_groups_led} led`).join('; ');
    if (seen.every((m) => m.raft_groups === groups && m.raft_groups_settled === groups)) return seen;
    if (state !== last) {
      last = state;
      log(state);
    }
    if (performance.now() > deadline) throw new Error(`groups did not settle: ${state}`);
    await sleep(500);
  }
}

async function declareAll() {
  const started = performance.now();
  let next = 0;
  const order = [...nodes.values()];
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= N) return;
      const node = order[i % order.length];
      for (let attempt = 0; ; attempt++) {
        const { status, body } = await api(node, 'PUT', `/api/queues/%2F/idle-${i}`, { durable: true, arguments: { 'x-queue-type': 'replicated' } });
        if (status < 300) break;
        if (attempt >= 5) throw new Error(`declaring idle-${i}: ${status} ${body}`);
        await sleep(200);
      }
      if ((i + 1) % 1000 === 0) log(`${i + 1} queues declared (${((i + 1) / ((performance.now() - started) / 1000)).toFixed(0)}/s)`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return performance.now() - started;
}

const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const mib = (bytes) => fmt(bytes / 1024 / 1024, 1);

async function main() {
  const ports = new Map();
  for (const id of IDS) ports.set(id, await freePort());
  const peers = IDS.map((id) => `${id}@127.0.0.1:${ports.get(id)}`).join(',');
  for (const id of IDS) nodes.set(id, { dataDir: await mkdtemp(join(tmpdir(), `warren-idle-${id}-`)), clusterPort: ports.get(id) });
  try {
    await Promise.all(IDS.map((id) => spawnNode(id, peers)));
    log('three nodes listening');
    await settled(1);
    log(`idle with no queue: measuring ${WINDOW_S} s`);
    const empty = await measure(WINDOW_S);
    log(`declaring ${N} replicated queues, ${CONCURRENCY} at a time`);
    const declareMs = await declareAll();
    log(`declared in ${fmt(declareMs / 1000)} s; waiting until every group is settled`);
    const formedAt = performance.now();
    await settled(N + 1);
    const settleMs = performance.now() - formedAt;
    log(`idle with ${N} queues: measuring ${WINDOW_S} s`);
    const full = await measure(WINDOW_S);

    const victim = IDS[2];
    const victimNode = nodes.get(victim);
    const ledBefore = full[victim].led;
    log(`kill -9 ${victim} (it led ${ledBefore} groups)`);
    victimNode.child.kill('SIGKILL');
    await victimNode.exited;
    const restartAt = performance.now();
    const listenMs = await spawnNode(victim, peers);
    log(`${victim} listening after ${fmt(listenMs / 1000, 2)} s; waiting until its groups are settled`);
    await settled(N + 1);
    const rejoinMs = performance.now() - restartAt;
    log(`every group settled ${fmt(rejoinMs / 1000, 2)} s after the restart; waiting until ${victim} leads ${ledBefore} again`);
    let respreadMs;
    for (const deadline = performance.now() + SETTLE_TIMEOUT_MS; performance.now() < deadline; await sleep(500)) {
      if ((await metrics(victimNode)).raft_groups_led >= ledBefore) {
        respreadMs = performance.now() - restartAt;
        break;
      }
    }

    const rows = IDS.map((id) => {
      const e = empty[id];
      const f = full[id];
      return {
        node: id,
        idleCpuPercentEmpty: e.cpuPercent,
        idleCpuPercent: f.cpuPercent,
        rssEmpty: e.rss,
        rss: f.rss,
        rssPerQueue: (f.rss - e.rss) / N,
        heapPerQueue: (f.heapUsed - e.heapUsed) / N,
        clusterSentBytesPerS: f.sentBytesPerS,
        clusterReceivedBytesPerS: f.receivedBytesPerS,
        clusterReceivedFramesPerS: f.receivedFramesPerS,
        clusterWritesPerS: f.writesPerS,
        groups: f.groups,
        awake: f.awake,
        led: f.led,
      };
    });
    const result = { queues: N, windowS: WINDOW_S, declareS: declareMs / 1000, declarePerS: N / (declareMs / 1000), settleS: settleMs / 1000, restart: { node: victim, listenS: listenMs / 1000, settledS: rejoinMs / 1000, leadsAgainS: respreadMs === undefined ? null : respreadMs / 1000 }, nodes: rows, at: new Date().toISOString() };
    writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);

    const print = (text) => process.stdout.write(`${text}\n`);
    print(`\n${N} idle replicated queues on 3 nodes (${WINDOW_S} s windows)`);
    print('node     | CPU% idle (0 q) | CPU% idle (N q) | RSS MiB (0 / N) | RSS/queue KiB | heap/queue KiB | cluster out B/s | in B/s | in frames/s | groups awake/led');
    for (const r of rows) {
      print(
        `${r.node.padEnd(8)} | ${fmt(r.idleCpuPercentEmpty, 2).padStart(15)} | ${fmt(r.idleCpuPercent, 2).padStart(15)} | ${`${mib(r.rssEmpty)} / ${mib(r.rss)}`.padStart(15)} | ${fmt(r.rssPerQueue / 1024, 2).padStart(13)} | ${fmt(r.heapPerQueue / 1024, 2).padStart(14)} | ${fmt(r.clusterSentBytesPerS, 0).padStart(15)} | ${fmt(r.clusterReceivedBytesPerS, 0).padStart(6)} | ${fmt(r.clusterReceivedFramesPerS, 1).padStart(11)} | ${r.awake}/${r.led}`,
      );
    }
    print(`declared ${N} in ${fmt(result.declareS)} s (${fmt(result.declarePerS, 0)}/s), all settled ${fmt(result.settleS)} s later`);
    print(`restart of ${victim} after kill -9: listening ${fmt(result.restart.listenS, 2)} s, every group settled ${fmt(result.restart.settledS, 2)} s, leads its ${ledBefore} again ${respreadMs === undefined ? 'not within the timeout' : `${fmt(result.restart.leadsAgainS, 2)} s`}`);
    print(`JSON: ${values.out}`);
  } finally {
    await Promise.all(
      [...nodes.values()].map(async (node) => {
        if (node.child !== undefined && node.child.exitCode === null && node.child.signalCode === null) {
          node.child.kill('SIGTERM');
          await node.exited;
        }
        await rm(node.dataDir, { recursive: true, force: true });
      }),
    );
  }
}

main().catch((error) => {
  process.stderr.write(`idle-queues: ${error.stack ?? error}\n`);
  process.exit(1);
});
