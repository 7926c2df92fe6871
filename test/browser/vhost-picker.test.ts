/**
 * The header's vhost picker in real Chromium (issue 22): pages show the chosen vhost's objects,
 * `/` until another is picked; the choice holds across pages and a reload, forms start in it,
 * and a vhost created meanwhile appears in the picker without a reload.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { TestBroker } from '../support/broker.js';
import { launchChromium, openPage, screenshot, type WatchedPage } from './support/chromium.js';
import { http, startUiBroker } from './support/ui-broker.js';

let broker: TestBroker;
let browser: Browser;
let watched: WatchedPage;

beforeAll(async () => {
  broker = await startUiBroker();
  await http(broker, 'PUT', '/api/vhosts/shop');
  await http(broker, 'PUT', '/api/queues/%2F/root-orders', { durable: true });
  await http(broker, 'PUT', '/api/queues/shop/shop-orders', { durable: true });
  await http(broker, 'PUT', '/api/exchanges/shop/shop.events', { type: 'topic' });
  await http(broker, 'PUT', '/api/policies/shop/shop-ttl', { pattern: '^shop-', 'apply-to': 'queues', definition: { 'message-ttl': 60_000 } });
  browser = await launchChromium();
  watched = await openPage(browser);
}, 60_000);

afterAll(async () => {
  await watched?.close();
  await browser?.close();
  await broker?.dispose();
}, 60_000);

test("shows the chosen vhost's objects on every page, remembers the choice, and lists new vhosts live", async () => {
  const { page } = watched;
  const picker = page.getByTestId('vhost-picker');
  const queueLinks = () => page.locator('tbody a').allTextContents();
  await page.goto(`${broker.httpUrl}/queues`);
  await expect.poll(queueLinks, { timeout: 10_000 }).toEqual(['root-orders']);
  expect(await picker.inputValue()).toBe('/');

  await picker.selectOption('shop');
  await expect.poll(queueLinks, { timeout: 10_000 }).toEqual(['shop-orders']);
  await screenshot(page, 'vhost-picker-queues');

  await page.getByRole('link', { name: 'Exchanges', exact: true }).click();
  await expect.poll(() => page.locator('tbody a').allTextContents(), { timeout: 10_000 }).toContain('shop.events');
  expect(new Set(await page.locator('tbody td:nth-child(2)').allTextContents())).toEqual(new Set(['shop']));

  await page.getByRole('link', { name: 'Policies', exact: true }).click();
  await expect.poll(() => page.locator('table').first().textContent(), { timeout: 10_000 }).toContain('shop-ttl');

  await page.getByRole('link', { name: 'Failures', exact: true }).click();
  await page.getByRole('heading', { name: 'Failures in vhost shop' }).waitFor();

  await page.reload();
  await page.getByRole('heading', { name: 'Failures in vhost shop' }).waitFor();
  expect(await picker.inputValue()).toBe('shop');

  await page.getByRole('link', { name: 'Queues', exact: true }).click();
  await expect.poll(queueLinks, { timeout: 10_000 }).toEqual(['shop-orders']);
  expect(await page.locator('#queue-vhost').inputValue()).toBe('shop');

  await http(broker, 'PUT', '/api/vhosts/staging');
  await expect.poll(() => picker.locator('option').allTextContents(), { timeout: 10_000 }).toEqual(['/', 'shop', 'staging']);
  await picker.selectOption('/');
  await expect.poll(queueLinks, { timeout: 10_000 }).toEqual(['root-orders']);
  expect(watched.problems).toEqual([]);
}, 60_000);
