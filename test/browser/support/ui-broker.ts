/**
 * A broker for browser tests, serving the built admin UI (apps/admin/dist, made by the root
 * `build` script), and a few calls to its management API for setting up what a page shows.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBroker, type TestBroker } from '../../support/broker.js';

const DIST = fileURLToPath(new URL('../../../apps/admin/dist/index.html', import.meta.url));

export async function startUiBroker(overrides: Parameters<typeof startBroker>[0] = {}, dataDir?: string): Promise<TestBroker> {
  if (!existsSync(DIST)) throw new Error('the admin UI is not built: run `npx -y pnpm@10.34.8 run build` first (npm test does)');
  return startBroker(overrides, dataDir);
}

export async function http(broker: { httpUrl: string }, method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${broker.httpUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

export const enc = encodeURIComponent;
