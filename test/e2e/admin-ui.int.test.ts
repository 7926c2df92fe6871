/**
 * The broker serving the admin UI: the built app at / with a strict CSP, client routes answered
 * with index.html, the API's and health paths never shadowed; and the live push socket at
 * /api/live (docs/admin-ui.md).
 */
import { connect, type Client } from '@warren/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { startBroker, type TestBroker } from '../support/broker.js';

let broker: TestBroker;
let client: Client;

beforeAll(async () => {
  broker = await startBroker();
  client = await connect(broker.url);
});

afterAll(async () => {
  await client?.close();
  await broker?.dispose();
});

describe('the UI at /', () => {
  test('index.html with a strict Content-Security-Policy: no inline script, no eval, no framing', async () => {
    const response = await fetch(`${broker.httpUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  test('client routes get index.html, assets are cached for good', async () => {
    for (const path of ['/queues', '/failures?vhost=%2F', '/exchanges/%2F/amq.topic', '/audit']) {
      expect((await fetch(`${broker.httpUrl}${path}`)).headers.get('content-type'), path).toContain('text/html');
    }
    const page = await fetch(`${broker.httpUrl}/queues/%2F/orders?x=1`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${broker.httpUrl}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-security-policy')).not.toBeNull();
  });

  test('the API, health and metrics paths are never shadowed', async () => {
    for (const path of ['/api/nope', '/api', '/ws', '/metrics/x', '/healthz/x', '/nope']) {
      const response = await fetch(`${broker.httpUrl}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    }
    expect(await (await fetch(`${broker.httpUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(Array.isArray(await (await fetch(`${broker.httpUrl}/api/queues`)).json())).toBe(true);
  });
});

interface Push {
  path?: string;
  status?: number;
  data?: any;
  error?: string;
  reason?: string;
}

function live(origin?: string): Promise<{ ws: WebSocket; next(match: (p: Push) => boolean): Promise<Push> }> {
  const ws = new WebSocket(`${broker.url.replace(/\/ws$/, '')}/api/live`, origin === undefined ? {} : { origin });
  const seen: Push[] = [];
  const waiting: { match: (p: Push) => boolean; resolve(p: Push): void }[] = [];
  ws.on('message', (data) => {
    const push = JSON.parse(data.toString()) as Push;
    const i = waiting.findIndex((w) => w.match(push));
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(push);
    else seen.push(push);
  });
  const next = (match: (p: Push) => boolean) =>
    new Promise<Push>((resolve) => {
      const i = seen.findIndex(match);
      if (i >= 0) resolve(seen.splice(i, 1)[0]!);
      else waiting.push({ match, resolve });
    });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, next }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('the live socket at /api/live', () => {
  test('answers a subscription at once, then pushes the path again when it changes', async () => {
    await client.declareQueue('live-q');
    const { ws, next } = await live();
    ws.send(JSON.stringify({ subscribe: '/api/queues/%2F/live-q' }));
    const first = await next((p) => p.path === '/api/queues/%2F/live-q');
    expect(first).toMatchObject({ status: 200, data: { name: 'live-q', messages_ready: 0 } });
    await client.publish('', 'live-q', 'hello');
    const second = await next((p) => p.path === '/api/queues/%2F/live-q');
    expect(second.data.messages_ready).toBe(1);
    ws.close();
  });

  test('a missing object is pushed with its status; bad messages get an error and the socket stays', async () => {
    const { ws, next } = await live();
    ws.send(JSON.stringify({ subscribe: '/api/queues/%2F/nope' }));
    expect(await next((p) => p.path !== undefined)).toMatchObject({ status: 404, data: { error: 'queue_not_found' } });
    ws.send('not json');
    expect(await next((p) => p.error !== undefined)).toMatchObject({ error: 'invalid_argument' });
    ws.send(JSON.stringify({ subscribe: '/metrics' }));
    expect((await next((p) => p.error !== undefined)).reason).toContain('not an API path');
    ws.send(JSON.stringify({ subscribe: '/api/live' }));
    expect((await next((p) => p.error !== undefined)).reason).toContain('not an API path');
    ws.send(JSON.stringify({ subscribe: '/api/overview' }));
    expect(await next((p) => p.path === '/api/overview')).toMatchObject({ status: 200, data: { product_name: 'Warren' } });
    ws.close();
  });

  test('a page of another origin is refused; the same origin is let in', async () => {
    await expect(live('http://evil.example')).rejects.toThrow('403');
    const host = new URL(broker.httpUrl).host;
    const { ws } = await live(`http://${host}`);
    ws.close();
  });
});
