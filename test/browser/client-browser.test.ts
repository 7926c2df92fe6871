/**
 * The @warren/client browser build: the package bundled for browsers (ES module, `ws` left
 * out: a browser has its own WebSocket), loaded by a plain page with no framework, connects to
 * the broker, publishes with a confirm and consumes what it published.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TestBroker } from '../support/broker.js';
import { launchChromium, openPage } from './support/chromium.js';
import { startUiBroker } from './support/ui-broker.js';

const CLIENT = fileURLToPath(new URL('../../packages/client/dist/index.js', import.meta.url));

let broker: TestBroker;
let browser: Browser;
let bundle: string;
let site: { url: string; close(): void };

/** A plain web server on loopback for the app's page and the client bundle, as any app would have. */
function serveSite(): Promise<{ url: string; close(): void }> {
  const server = createServer((request, response) => {
    const js = (request.url ?? '').split('?')[0]!.endsWith('.js');
    response.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
    response.end(js ? bundle : PAGE);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

beforeAll(async () => {
  const out = await mkdtemp(join(tmpdir(), 'warren-client-browser-'));
  try {
    await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        outDir: out,
        emptyOutDir: true,
        lib: { entry: CLIENT, formats: ['es'], fileName: () => 'warren-client.js' },
        rollupOptions: { external: ['ws'] },
      },
    });
    bundle = await readFile(join(out, 'warren-client.js'), 'utf8');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  site = await serveSite();
  // The app's page is another origin than the broker's: the broker must be told to let it in.
  broker = await startUiBroker({ allowedOrigins: [site.url] });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await broker?.dispose();
  site?.close();
});

const PAGE = `<!doctype html><html lang="en"><head><title>plain page</title></head><body>
<p id="out">waiting</p>
<script type="module">
  import { connect } from './warren-client.js';
  const out = document.getElementById('out');
  try {
    const client = await connect(new URLSearchParams(location.search).get('broker'), { name: 'plain-page' });
    const { queue } = await client.declareQueue('from-the-browser');
    const receipt = await client.publish('', queue, { hello: 'from a browser' });
    const got = await new Promise((resolve) => {
      client.consume(queue, (m) => { m.ack(); resolve(m.json()); });
    });
    out.textContent = JSON.stringify({ receipt, got });
    await client.close();
  } catch (error) {
    out.textContent = 'failed: ' + error.message;
  }
</script></body></html>`;

test('a plain page loads the client build, publishes with a confirm and consumes', async () => {
  console.info(`@warren/client browser build: ${bundle.length} bytes, ${gzipSync(bundle).length} gzipped`);
  const { page, problems, close } = await openPage(browser);
  try {
    await page.goto(`${site.url}/index.html?broker=${encodeURIComponent(broker.url)}`);
    await expect.poll(() => page.locator('#out').textContent(), { timeout: 15_000 }).not.toBe('waiting');
    const text = (await page.locator('#out').textContent())!;
    expect(text).not.toMatch(/^failed/);
    const result = JSON.parse(text) as { receipt?: { seq: number }; got?: unknown };
    expect(result.got).toEqual({ hello: 'from a browser' });
    expect(result.receipt?.seq).toBe(1);
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
});
