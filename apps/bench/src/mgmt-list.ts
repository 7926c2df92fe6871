/**
 * How fast the management API answers its lists with 10,000 queues (issue 22): starts a Warren
 * process, declares the queues over HTTP, publishes to some of them so their counters differ,
 * lets the broker take a rate sample, then times each list query: the fastest, median and p95
 * of 30 calls (client-side wall time over loopback HTTP, the client reading the whole body) and
 * the broker's CPU time per call, which other processes on a shared machine disturb far less
 * than wall time. Prints a table and writes it to apps/bench/results/mgmt-list.json.
 * Run: `node apps/bench/dist/mgmt-list.js [queues]`.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { connect } from '@warren/client';
import { readCpuSeconds } from './proc-stats.js';
import { WarrenProcess } from './warren/warren-process.js';

const QUEUES = Number(process.argv[2] ?? 10_000);
const CALLS = 30;
const RESULTS = new URL('../results/mgmt-list.json', import.meta.url);

const QUERIES = [
  '/api/queues?page=1&page_size=100',
  '/api/queues?page=50&page_size=100&sort=name&sort_reverse=true',
  '/api/queues?page=1&page_size=100&sort=message_stats.publish_details.rate&sort_reverse=true',
  '/api/queues?page=1&page_size=100&sort=messages',
  '/api/queues?page=1&page_size=100&name=q-12',
  '/api/queues?page=1&page_size=100&name=%5Eq-1.*7%24&use_regex=true',
  '/api/queues/%2F?page=1&page_size=500',
  '/api/queues',
  '/api/overview',
  '/api/vhosts',
];

async function main(): Promise<void> {
  const broker = await WarrenProcess.start();
  const http = broker.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
  try {
    let next = 0;
    const declare = async (): Promise<void> => {
      while (next < QUEUES) {
        const name = `q-${next++}`;
        const response = await fetch(`${http}/api/queues/%2F/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"durable":false}' });
        if (response.status !== 201) throw new Error(`declare ${name}: ${response.status}`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, declare));
    const client = await connect(broker.url);
    for (let i = 0; i < QUEUES; i += 7) await client.publish('', `q-${i}`, 'x', { persistent: false });
    await client.close();
    // Let the broker's sampler (every 5 s) turn the counters into rates, so rate sorts have something to sort.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    console.log(`management API lists, ${QUEUES} queues, ${CALLS} calls each (ms; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
    console.log(['query'.padEnd(92), 'min', 'median', 'p95', 'cpu/call', 'bytes'].join('\t'));
    const rows = [];
    for (const query of QUERIES) {
      const times: number[] = [];
      let bytes = 0;
      const cpuBefore = await readCpuSeconds(broker.pid);
      for (let i = 0; i < CALLS; i++) {
        const started = performance.now();
        const response = await fetch(`${http}${query}`);
        const text = await response.text();
        times.push(performance.now() - started);
        if (response.status !== 200) throw new Error(`${query}: ${response.status} ${text.slice(0, 200)}`);
        bytes = text.length;
      }
      const cpuAfter = await readCpuSeconds(broker.pid);
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
      const cpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1000) / CALLS;
      const row = { query, min_ms: round(at(0)), median_ms: round(at(0.5)), p95_ms: round(at(0.95)), broker_cpu_ms_per_call: cpuMs === undefined ? null : round(cpuMs), bytes };
      rows.push(row);
      console.log([query.padEnd(92), row.min_ms, row.median_ms, row.p95_ms, row.broker_cpu_ms_per_call ?? '-', bytes].join('\t'));
    }
    const result = { at: new Date().toISOString(), queues: QUEUES, calls: CALLS, load_average: round(loadavg()[0]!), cores: cpus().length, node: process.version, rows };
    await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await broker.stop();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

await main();
