/**
 * Every page of the admin UI in real Chromium, light and dark (the system setting), wide and
 * narrow (375 px): it renders under the broker's strict CSP with no script error, axe-core finds no
 * serious or critical violation, and a screenshot of each is written to .artifacts/.
 */
import type { Client } from '@warren/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestBroker } from '../support/broker.js';
import { seriousViolations } from './support/axe.js';
import { launchChromium, openPage, screenshot } from './support/chromium.js';
import { PAGES, populate } from './support/fixture.js';
import { startUiBroker } from './support/ui-broker.js';

let broker: TestBroker;
let browser: Browser;
let client: Client;

beforeAll(async () => {
  broker = await startUiBroker();
  client = await populate(broker);
  browser = await launchChromium();
});

afterAll(async () => {
  await client?.close();
  await browser?.close();
  await broker?.dispose();
});

/** Opens a page and waits until it shows its heading and the live socket is up. */
async function show(page: Page, path: string): Promise<void> {
  await page.goto(`${broker.httpUrl}${path}`);
  await page.locator('h1').first().waitFor();
  await page.locator('[data-live="open"]').waitFor();
  // Let the first answers land (each page asks a handful of paths at once).
  await page.waitForLoadState('networkidle');
}

test.each(PAGES)('%s: light and dark under the CSP with no serious axe violation, and narrow', async (name, path) => {
  const watched = await openPage(browser, { colorScheme: 'light' });
  const { page } = watched;
  try {
    await show(page, path);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(colorScheme === 'dark');
      await screenshot(page, `${name}-${colorScheme}`);
      expect(await seriousViolations(page), `${name} in ${colorScheme} mode`).toEqual([]);
    }
    // A phone's width: the page wraps; only tables and the graph scroll, inside their own box.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} scrolls sideways at 375 px`).toBeLessThanOrEqual(0);
    await screenshot(page, `${name}-narrow`);
    expect(watched.problems).toEqual([]);
  } finally {
    await watched.close();
  }
});

test('the accessibility check catches what it must (a nameless button is a critical violation)', async () => {
  const watched = await openPage(browser);
  try {
    await show(watched.page, '/nodes');
    await watched.page.evaluate(() => document.querySelector('main')!.append(document.createElement('button')));
    expect((await seriousViolations(watched.page)).map((v) => v.id)).toContain('button-name');
  } finally {
    await watched.close();
  }
});
