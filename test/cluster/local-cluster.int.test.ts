/**
 * `npm run cluster` (issue 21, point 1): one command starts three local nodes that form a
 * cluster, prints their URLs, and stops them all on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

const BIN = fileURLToPath(new URL('../../packages/server/dist/bin/local-cluster.js', import.meta.url));

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A run of six free ports (three nodes, public and cluster port each). */
async function freeRange(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const free = await Promise.all(Array.from({ length: 6 }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
}

it('starts three nodes that form a cluster, prints their URLs and stops them all', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warren-local-cluster-'));
  const child = spawn(process.execPath, [BIN, '--port', String(await freeRange()), '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  try {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await vi.waitFor(() => expect(out).toMatch(/Ctrl-C/), { timeout: 20_000, interval: 50 });
    const urls = [...out.matchAll(/(ws:\/\/127\.0\.0\.1:\d+\/ws)/g)].map((m) => m[1]!);
    expect(new Set(urls).size).toBe(3);
    const http = urls[0]!.replace(/^ws/, 'http').replace(/\/ws$/, '');
    const guest = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` };
    await vi.waitFor(async () => {
      const nodes = (await (await fetch(`${http}/api/nodes`, { headers: guest })).json()) as { name: string; running: boolean; metadata?: { leader: string | null } }[];
      expect(nodes.map((n) => n.name)).toEqual(['warren-1', 'warren-2', 'warren-3']);
      expect(nodes.every((n) => n.running && n.metadata?.leader !== null)).toBe(true);
    }, { timeout: 15_000, interval: 100 });
  } finally {
    child.kill('SIGTERM');
    expect(await exited).not.toBe('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
