/**
 * The UI is kept current by the one push socket, not by polling: after the first load no page
 * asks the API again on its own, yet a publish shows up. When the broker goes away and comes
 * back (same port, same data), the page says it is reconnecting, then shows the truth again.
 */
import { connect } from '@warren/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tempDir, type TestBroker } from '../support/broker.js';
import { launchChromium, openPage } from './support/chromium.js';
import { startUiBroker } from './support/ui-broker.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let broker: TestBroker;
let browser: Browser;

beforeAll(async () => {
  dir = await tempDir();
  broker = await startUiBroker({}, dir.path);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await broker?.dispose();
  await dir?.remove();
});

async function publish(url: string, count: number): Promise<void> {
  const client = await connect(url);
  await client.declareQueue('depth');
  for (let i = 0; i < count; i++) await client.publish('', 'depth', `m${i}`);
  await client.close();
}

test('pushes, not polls; and is right again after the socket drops and comes back', async () => {
  await publish(broker.url, 1);
  const { page, problems, close } = await openPage(browser);
  try {
    await page.goto(`${broker.httpUrl}/queues/%2F/depth`);
    await expect.poll(() => page.getByTestId('messages-ready').textContent(), { timeout: 10_000 }).toBe('1');
    await page.locator('[data-live="open"]').waitFor();
    await page.waitForLoadState('networkidle');

    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await publish(broker.url, 1);
    await expect.poll(() => page.getByTestId('messages-ready').textContent(), { timeout: 10_000 }).toBe('2');
    expect(requests).toEqual([]);

    const port = broker.port;
    await broker.close();
    await page.locator('[data-live="closed"], [data-live="connecting"]').first().waitFor();
    broker = await startUiBroker({ port }, dir.path);
    await publish(broker.url, 3);
    await page.locator('[data-live="open"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('messages-ready').textContent(), { timeout: 10_000 }).toBe('5');
    expect(problems).toEqual([]);
  } finally {
    await close();
  }
}, 60_000);
