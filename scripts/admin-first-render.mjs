// Time to first render of the admin UI against a broker with many queues (issue 22, point 5):
// declares N queues (default 10,000) in a broker process of its own, then opens the Overview and
// the Queues page in Debian's Chromium (playwright-core) with a cold cache, and prints how long
// each took from navigation to its data on screen, median of 5 loads; and the first load's size:
// every script apps/admin/dist/index.html loads, gzipped (as test/browser/bundle-size.test.ts).
// Usage: node scripts/admin-first-render.mjs [queues=10000]   (needs a build: npx -y pnpm@10.34.8 build)
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { connect } from '@warren/client';
import { chromium } from 'playwright-core';
import { startBrokerProcess } from './broker-process.mjs';

const total = Number(process.argv[2] ?? 10_000);
const dist = new URL('../apps/admin/dist/', import.meta.url);
const html = readFileSync(new URL('index.html', dist), 'utf8');
const scripts = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((m) => m[1]);
const gzipped = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length, 0);
console.log(`first load: ${scripts.length} script(s), ${(gzipped / 1024).toFixed(1)} KB of gzipped JavaScript`);
const broker = await startBrokerProcess('first-render');
const client = await connect(broker.url);
let started = performance.now();
const pending = new Set();
for (let i = 0; i < total; i++) {
  const p = client.declareQueue(`queue.${String(i).padStart(5, '0')}`, { durable: true });
  pending.add(p);
  p.finally(() => pending.delete(p));
  if (pending.size >= 500) await Promise.race(pending);
}
await Promise.all(pending);
console.log(`${total} queues declared in ${((performance.now() - started) / 1000).toFixed(1)} s`);
await client.close();

const browser = await chromium.launch({
  executablePath: process.env.WARREN_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function measure(path, ready) {
  const times = [];
  for (let run = 0; run < 5; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(`${broker.httpUrl}${path}`, { waitUntil: 'commit' });
    await page.locator(ready).first().waitFor({ timeout: 60_000 });
    times.push(performance.now() - t0);
    await context.close();
  }
  times.sort((a, b) => a - b);
  return times[2];
}

const apiStart = performance.now();
const list = await fetch(`${broker.httpUrl}/api/queues/%2F?page=1&page_size=100`);
await list.arrayBuffer();
console.log(`GET /api/queues/%2F?page=1&page_size=100 (what the Queues page asks first): ${(performance.now() - apiStart).toFixed(0)} ms`);
console.log(`Overview first render (totals shown): ${(await measure('/', '[data-testid="total-messages"]')).toFixed(0)} ms (median of 5)`);
console.log(`Queues first render (first row shown): ${(await measure('/queues', 'tbody a')).toFixed(0)} ms (median of 5)`);
await browser.close();
await broker.stop();
