/**
 * Cross-site WebSocket hijacking (docs/operations.md, "Browser origins"): a page on another
 * origin must not reach the broker through the visitor's browser. An upgrade that carries an
 * Origin is refused with 403 before any WebSocket exists, unless it is the broker's own origin
 * (the admin UI) or one the operator allowed; clients that send no Origin are not concerned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { connect } from '@warren/client';
import { SUBPROTOCOL } from '@warren/protocol';
import { startBroker, type TestBroker } from '../support/broker.js';

let broker: TestBroker;
let allowing: TestBroker;

beforeAll(async () => {
  broker = await startBroker();
  allowing = await startBroker({ allowedOrigins: ['https://app.example.com', 'http://localhost:3000'] });
});
afterAll(async () => {
  await broker.dispose();
  await allowing.dispose();
});

/** Status and body of a WebSocket upgrade request sent as a browser would, with `origin`. */
function upgrade(target: TestBroker, origin: string | undefined, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
      'sec-websocket-protocol': SUBPROTOCOL,
    };
    if (origin !== undefined) headers.origin = origin;
    if (host !== undefined) headers.host = host;
    const req = request({ host: '127.0.0.1', port: target.port, path: '/ws', headers });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('WebSocket upgrades from browsers', () => {
  it('refuses a page on another origin with 403, before any WebSocket exists', async () => {
    for (const origin of ['http://evil.example', 'https://127.0.0.1.evil.example', 'null', 'file://', `http://127.0.0.1:${broker.port + 1}`]) {
      const answer = await upgrade(broker, origin);
      expect(answer.status, origin).toBe(403);
      expect(answer.body).toContain('is not allowed to open a WebSocket');
    }
    expect(broker.broker.vhost('/')).toBeDefined();
  });

  it("lets the broker's own origin (the admin UI) and clients without an Origin in", async () => {
    expect((await upgrade(broker, `http://127.0.0.1:${broker.port}`)).status).toBe(101);
    expect((await upgrade(broker, `http://localhost:${broker.port}`, `localhost:${broker.port}`)).status).toBe(101);
    expect((await upgrade(broker, undefined)).status).toBe(101);
    const client = await connect(broker.url);
    await client.declareQueue('origin-q');
    await client.close();
  });

  it('lets the configured origins in, compared as origins (scheme, host, port)', async () => {
    expect((await upgrade(allowing, 'https://app.example.com')).status).toBe(101);
    expect((await upgrade(allowing, 'HTTPS://APP.EXAMPLE.COM:443')).status).toBe(101);
    expect((await upgrade(allowing, 'http://localhost:3000')).status).toBe(101);
    expect((await upgrade(allowing, 'http://app.example.com')).status).toBe(403);
    expect((await upgrade(allowing, 'http://localhost:3001')).status).toBe(403);
  });
});
