/**
 * TLS (issue 23, point 4): with WARREN_TLS_CERT / WARREN_TLS_KEY the one port serves wss:// and
 * https:// only; the certificate is reloaded without a restart when its files change; and with a
 * CA, a client certificate authenticates its common name as the user. The certificates are made
 * by the test.
 */
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, type WebSocketConstructor } from '@warren/client';
import { startBroker, tempDir, type TestBroker } from '../support/broker.js';
import { certificateAuthority, signed, writePem, type Pem } from '../support/certificates.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let ca: Pem;
let files: { cert: string; key: string };
let caFile: string;

/** A WebSocket class that trusts the test CA and presents `client`'s certificate, if any. */
function webSocketWith(client?: Pem): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca: ca.cert, ...(client === undefined ? {} : { cert: client.cert, key: client.key }) });
    }
  } as unknown as WebSocketConstructor;
}

function httpsGet(base: string, path: string, client?: Pem, authorization?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { ca: ca.cert, ...(client === undefined ? {} : { cert: client.cert, key: client.key }), headers: authorization === undefined ? {} : { authorization } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function presentedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: ca.cert }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  dir = await tempDir();
  ca = await certificateAuthority();
  files = await writePem(dir.path, 'server', await signed(ca, 'localhost', 'server'));
  caFile = (await writePem(dir.path, 'ca', ca)).cert;
});
afterAll(async () => {
  await dir?.remove();
});

describe('TLS on the public port', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker({ tlsCert: files.cert, tlsKey: files.key });
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it('serves wss:// and https:// on one port, and no plain HTTP', async () => {
    expect(broker.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
    expect(broker.httpUrl).toBe(`https://127.0.0.1:${broker.port}`);
    const client = await connect(broker.url, { WebSocket: webSocketWith() });
    await client.declareQueue('tls.q');
    await client.close();
    expect(await httpsGet(broker.httpUrl, '/api/queues/%2F/tls.q')).toMatchObject({ status: 200, body: { name: 'tls.q' } });
    await expect(fetch(`http://127.0.0.1:${broker.port}/api/overview`)).rejects.toThrow();
  });

  it('marks the browser session cookie Secure', async () => {
    const setCookie = await new Promise<string>((resolve, reject) => {
      const req = request(`${broker.httpUrl}/api/auth/login`, { method: 'POST', ca: ca.cert, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(String(res.headers['set-cookie'] ?? ''));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ username: 'guest', password: 'guest' }));
    });
    expect(setCookie).toMatch(/HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
  });

  it('reloads the certificate when its files change, without a restart', async () => {
    const before = await presentedFingerprint(broker.port);
    const renewed = await signed(ca, 'localhost', 'server');
    await writePem(dir.path, 'server', renewed);
    let now = before;
    // The files are polled once a second; the new certificate shows on the next handshake after that.
    for (let attempt = 0; attempt < 100 && now === before; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      now = await presentedFingerprint(broker.port);
    }
    expect(now).not.toBe(before);
    const client = await connect(broker.url, { WebSocket: webSocketWith() });
    await client.close();
  });
});

describe('client certificates', () => {
  let broker: TestBroker;
  let alice: Pem;
  beforeAll(async () => {
    alice = await signed(ca, 'cert-alice', 'client');
    broker = await startBroker({ tlsCert: files.cert, tlsKey: files.key, tlsCa: caFile, tlsClientCertificates: 'request' });
    const admin = `Basic ${Buffer.from('guest:guest').toString('base64')}`;
    await new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ tags: 'management' });
      const req = request(`${broker.httpUrl}/api/users/cert-alice`, { method: 'PUT', ca: ca.cert, headers: { authorization: admin, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`PUT user: ${res.statusCode}`))));
      });
      req.end(body);
    });
    await new Promise<void>((resolve, reject) => {
      const req = request(`${broker.httpUrl}/api/permissions/%2F/cert-alice`, { method: 'PUT', ca: ca.cert, headers: { authorization: admin, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`PUT permissions: ${res.statusCode}`))));
      });
      req.end(JSON.stringify({ configure: '^alice\\.', write: '^alice\\.', read: '^alice\\.' }));
    });
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it('log a client in as the certificate’s common name, over HTTP and WebSocket, with no password', async () => {
    expect((await httpsGet(broker.httpUrl, '/api/whoami', alice)).body).toMatchObject({ name: 'cert-alice', mechanism: 'certificate' });
    const client = await connect(broker.url, { WebSocket: webSocketWith(alice) });
    await client.declareQueue('alice.q');
    await expect(client.declareQueue('bob.q')).rejects.toMatchObject({ code: 'access_refused' });
    await client.close();
  });

  it('are refused when the CA did not sign them, and optional in request mode', async () => {
    const stranger = await signed(await certificateAuthority(), 'cert-alice', 'client');
    // A certificate the CA did not sign proves nothing: the client is guest, from loopback.
    expect((await httpsGet(broker.httpUrl, '/api/whoami', stranger)).body).toMatchObject({ name: 'guest' });
    expect((await httpsGet(broker.httpUrl, '/api/whoami')).body).toMatchObject({ name: 'guest' });
  });

  it('are demanded in require mode: a client without one does not get through the TLS handshake', async () => {
    const strict = await startBroker({ tlsCert: files.cert, tlsKey: files.key, tlsCa: caFile, tlsClientCertificates: 'require' });
    try {
      await expect(httpsGet(strict.httpUrl, '/api/whoami')).rejects.toThrow();
      expect((await httpsGet(strict.httpUrl, '/api/whoami', alice)).status).toBe(401);
    } finally {
      await strict.dispose();
    }
  });
});
