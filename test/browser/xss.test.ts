/**
 * Issue 22, point 4: every value from a message, a name or a header is rendered as text. 200 XSS
 * payloads go in as message bodies, header names and values, routing keys, queue and exchange
 * names, dead-letter reasons and last errors; every page that shows them is opened with the
 * CSP bypassed, so React's text rendering is the only defence being tested, and nothing runs or
 * lands in the DOM as markup, while the payloads are visible as text.
 */
import { connect, type Client } from '@warren/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TestBroker } from '../support/broker.js';
import { launchChromium, openPage, screenshot, type WatchedPage } from './support/chromium.js';
import { enc, http, startUiBroker } from './support/ui-broker.js';
import { INJECTED_SELECTOR, XSS_CORPUS } from './support/xss-corpus.js';

let broker: TestBroker;
let browser: Browser;
let client: Client;
let watched: WatchedPage;
let page: Page;

beforeAll(async () => {
  broker = await startUiBroker();
  client = await connect(broker.url, { name: 'xss' });
  await client.declareExchange('xss.fan', 'fanout');
  await client.declareExchange('xss.dlx', 'fanout');
  await client.declareQueue('xss-bodies');
  await client.declareQueue('xss-src');
  await client.declareQueue('xss-dlq');
  await client.bind('xss-bodies', 'xss.fan', '');
  await client.bind('xss-dlq', 'xss.dlx', '');
  await http(broker, 'PUT', '/api/policies/%2F/xss', { pattern: '^xss-src$', definition: { 'dead-letter-exchange': 'xss.dlx' } });
  for (const { n, text } of XSS_CORPUS) {
    await client.publish('xss.fan', text, text, { headers: { note: text, [`h${n}${text.slice(0, 40)}`]: n } });
    await client.publish('', 'xss-dlq', text, {
      headers: { 'x-death': [{ reason: text, queue: text, count: 1 }], 'x-warren-attempts': [{ attempt: 1, error: text }] },
    });
    await client.declareQueue(`${text}`.slice(0, 255));
    if (n % 5 === 1) await client.declareExchange(text.slice(0, 255), 'topic');
  }
  browser = await launchChromium();
  watched = await openPage(browser, { bypassCSP: true });
  page = watched.page;
  await page.addInitScript(() => {
    const w = window as unknown as { __xssHits: number[]; xss(n: number): void };
    w.__xssHits = [];
    w.xss = (n) => w.__xssHits.push(n);
  });
}, 120_000);

afterAll(async () => {
  await watched?.close();
  await client?.close();
  await browser?.close();
  await broker?.dispose();
});

async function expectInert(where: string): Promise<void> {
  // Open every <details> so the JSON trees of headers render too, then give handlers a moment to fire.
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))));
  const hits = await page.evaluate(() => (window as unknown as { __xssHits: number[] }).__xssHits);
  expect(hits, `payloads that ran on ${where}`).toEqual([]);
  expect(await page.locator(INJECTED_SELECTOR).count(), `injected elements on ${where}`).toBe(0);
  expect(watched.problems).toEqual([]);
}

async function open(path: string): Promise<void> {
  await page.goto(`${broker.httpUrl}${path}`);
  await page.locator('h1').first().waitFor();
  await page.waitForLoadState('networkidle');
}

test('the corpus holds at least 200 distinct payloads', () => {
  expect(new Set(XSS_CORPUS.map((p) => p.text)).size).toBeGreaterThanOrEqual(200);
});

test('queue and exchange names render as text in lists, pages and the topology', async () => {
  await open('/queues?size=1000');
  await expect.poll(() => page.getByTestId('queue-count').textContent(), { timeout: 10_000 }).toContain(`${XSS_CORPUS.length + 3} of`);
  await expectInert('the queue list');
  await screenshot(page, 'xss-queues');
  // The list is virtualised: search brings each name into view.
  for (const { text } of XSS_CORPUS.filter((p) => p.n % 20 === 3)) {
    await open(`/queues?name=${enc(text)}`);
    await expect.poll(() => page.locator('tbody a').first().textContent(), { timeout: 10_000 }).toBe(text);
    await expectInert(`the queue list searched for ${JSON.stringify(text)}`);
  }
  for (const { text } of XSS_CORPUS.filter((p) => p.n % 40 === 2)) {
    await open(`/queues/%2F/${enc(text)}`);
    expect(await page.locator('h1 .name').textContent()).toBe(text);
    await expectInert(`the queue page of ${JSON.stringify(text)}`);
  }
  await open('/exchanges');
  await expectInert('the exchange list');
  await open(`/exchanges/%2F/${enc(XSS_CORPUS[0]!.text)}`);
  await expectInert('an exchange page');
  await open('/topology');
  await expectInert('the topology');
}, 90_000);

test('bodies, headers and routing keys render as text when browsing', async () => {
  await open('/queues/%2F/xss-bodies');
  await page.getByRole('button', { name: 'Browse', exact: true }).click();
  let seen = 0;
  for (;;) {
    await page.getByRole('list', { name: 'Messages' }).waitFor();
    await expectInert(`browse page ${seen / 20 + 1}`);
    seen += await page.locator('li.message').count();
    const next = page.getByRole('button', { name: 'Next', exact: true }).last();
    if (await next.isDisabled()) break;
    const first = await page.locator('li.message').first().textContent();
    await next.click();
    await expect.poll(() => page.locator('li.message').first().textContent(), { timeout: 10_000 }).not.toBe(first);
  }
  expect(seen).toBe(XSS_CORPUS.length);
  await page.getByRole('button', { name: 'Hex' }).first().click();
  await page.getByRole('button', { name: 'Text' }).nth(1).click();
  await expectInert('the body viewer');
  await screenshot(page, 'xss-browse');
});

test('dead-letter reasons, source queues and last errors render as text on the Failures page', async () => {
  await open('/failures');
  await expect.poll(() => page.getByTestId('failure-group').count(), { timeout: 15_000 }).toBe(XSS_CORPUS.length);
  await expectInert('the failures list');
  for (const i of [0, 57, 199]) {
    await page.getByTestId('failure-group').nth(i).getByRole('button', { name: 'Open' }).click();
    await expectInert(`failure group ${i}`);
  }
  await screenshot(page, 'xss-failures');
});

test('the check catches a payload that is inserted as markup', async () => {
  await open('/nodes');
  await page.evaluate((html) => document.querySelector('main')!.insertAdjacentHTML('beforeend', html), XSS_CORPUS[195]!.text);
  expect(await page.locator(INJECTED_SELECTOR).count()).toBeGreaterThan(0);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __xssHits: number[] }).__xssHits), { timeout: 10_000 }).toEqual([196]);
});
