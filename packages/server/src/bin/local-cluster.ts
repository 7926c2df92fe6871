#!/usr/bin/env node
/**
 * `npm run cluster`: three (or --nodes N) Warren nodes on this machine in one command, for trying
 * a cluster out. Each node is a `warren` process with its own data dir under --data-dir, its
 * public port and cluster port counted up from --port, and a secret made for the run unless
 * WARREN_CLUSTER_SECRET is set. It prints each node's URLs; each node's log goes to a file beside
 * its data. Ctrl-C stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { BROKER_NODE_FLAGS } from '../launch/node-flags.js';

const count = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`a whole number from ${min} to ${max}`);
  return n;
};

const options = new Command()
  .name('warren-cluster')
  .description('Starts a local Warren cluster: every node on 127.0.0.1, one process each')
  .option('-n, --nodes <n>', 'how many nodes', count(1, 9), 3)
  .option('-p, --port <port>', "the first node's public port; each node takes two ports (public, cluster)", count(1024, 65000), 5680)
  .option('-d, --data-dir <dir>', 'where the nodes keep their data (a directory per node)', './data/cluster')
  .parse()
  .opts<{ nodes: number; port: number; dataDir: string }>();

const WARREN = fileURLToPath(new URL('./warren.js', import.meta.url));
const secret = process.env.WARREN_CLUSTER_SECRET ?? randomBytes(24).toString('base64url');
const nodes = Array.from({ length: options.nodes }, (_, i) => ({
  id: `warren-${i + 1}`,
  port: options.port + 2 * i,
  clusterPort: options.port + 2 * i + 1,
  dataDir: resolve(options.dataDir, `warren-${i + 1}`),
}));
const peers = nodes.map((n) => `${n.id}@127.0.0.1:${n.clusterPort}`).join(',');
const children: ChildProcess[] = [];

async function startNode(node: (typeof nodes)[number]): Promise<string> {
  await mkdir(node.dataDir, { recursive: true });
  const log = createWriteStream(join(node.dataDir, '..', `${node.id}.log`), { flags: 'a' });
  const child = spawn(process.execPath, [...BROKER_NODE_FLAGS, WARREN], {
    env: {
      ...process.env,
      WARREN_HOST: '127.0.0.1',
      WARREN_PORT: String(node.port),
      WARREN_DATA_DIR: node.dataDir,
      WARREN_NODE_ID: node.id,
      WARREN_CLUSTER_PORT: String(node.clusterPort),
      WARREN_PEERS: peers,
      WARREN_CLUSTER_SECRET: secret,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  child.stdout!.pipe(log);
  return new Promise((ready, failed) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"warren is ready"')) ready((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code, signal) => failed(new Error(`${node.id} exited (${signal ?? code}) before it was ready; see ${join(options.dataDir, `${node.id}.log`)}`)));
  });
}

function stopAll(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}

process.once('SIGINT', stopAll);
process.once('SIGTERM', stopAll);

try {
  const urls = await Promise.all(nodes.map(startNode));
  process.stdout.write(`Warren cluster of ${nodes.length} nodes is up (secret: WARREN_CLUSTER_SECRET=${secret})\n`);
  nodes.forEach((node, i) => {
    const ws = urls[i]!;
    const http = ws.replace(/^ws/, 'http').replace(/\/ws$/, '');
    process.stdout.write(`  ${node.id}  ${ws}  admin ${http}/  cluster port ${node.clusterPort}  log ${join(options.dataDir, `${node.id}.log`)}\n`);
  });
  process.stdout.write(`Clients: connect([${urls.map((u) => `'${u}'`).join(', ')}]). Ctrl-C stops every node.\n`);
} catch (error) {
  process.stderr.write(`warren-cluster: ${(error as Error).message}\n`);
  stopAll();
  process.exitCode = 1;
}
