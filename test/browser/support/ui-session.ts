/**
 * The set-up most browser tests share: a broker serving the UI, Chromium with one watched page,
 * and a client connected under `clientName`; all of it closed after the file's tests.
 */
import { connect, type Client } from '@warren/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { TestBroker } from '../../support/broker.js';
import { launchChromium, openPage, type WatchedPage } from './chromium.js';
import { startUiBroker } from './ui-broker.js';

export interface UiSession {
  broker: TestBroker;
  browser: Browser;
  client: Client;
  watched: WatchedPage;
}

/** Registers the file's beforeAll / afterAll; the fields are there once beforeAll has run. */
export function useUiSession(clientName: string): UiSession {
  const session = {} as UiSession;
  beforeAll(async () => {
    session.broker = await startUiBroker();
    session.browser = await launchChromium();
    session.client = await connect(session.broker.url, { name: clientName });
    session.watched = await openPage(session.browser);
  }, 60_000);
  afterAll(async () => {
    await session.watched?.close();
    await session.client?.close();
    await session.browser?.close();
    await session.broker?.dispose();
  }, 60_000);
  return session;
}
