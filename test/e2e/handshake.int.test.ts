/**
 * The handshake and heartbeats over raw connections: what the first frame must be, the upgrade
 * checks, the welcome frame, and the heartbeat deadline. Waits on frames and close events only;
 * the one deliberate silence is the heartbeat-timeout test, which then waits for the close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import { encodeFrame, ERRORS, PROTOCOL_VERSION, SUBPROTOCOL, type ErrorCode } from '@warren/protocol';
import { startBroker, type TestBroker } from '../support/broker.js';
import { RawClient, type ReceivedFrame } from '../support/raw-client.js';

let broker: TestBroker;

beforeAll(async () => {
  // A short handshake timeout only so that a connection left in the handshake by mistake ends fast.
  broker = await startBroker({ publishWindow: 1234, maxMessageSize: 2 * 1024 * 1024, handshakeTimeout: 3_000 });
});
afterAll(async () => {
  await broker?.dispose();
});

const errorFrame = (code: ErrorCode) => (f: ReceivedFrame) => f.header.type === 'error' && f.header.code === code;
const welcomeOf = (raw: RawClient) => raw.next((f) => f.header.type === 'welcome');

/** The close with the code's close code, preceded by the error frame (waits for the close, so a wrong outcome fails fast). */
async function expectClosedWith(raw: RawClient, code: ErrorCode, closeCode: number): Promise<void> {
  expect((ERRORS[code] as { closeCode?: number }).closeCode).toBe(closeCode);
  const closed = await raw.closed;
  const errors = raw.frames.filter((f) => f.header.type === 'error').map((f) => f.header);
  expect(errors.at(-1)).toMatchObject({ type: 'error', code, reply_code: ERRORS[code].replyCode });
  expect(closed.code).toBe(closeCode);
}

/** Closed before the handshake completed: no welcome was ever sent. */
async function expectRefused(raw: RawClient, code: ErrorCode, closeCode: number): Promise<void> {
  await expectClosedWith(raw, code, closeCode);
  expect(raw.frames.some((f) => f.header.type === 'welcome')).toBe(false);
}

/** The next frame matching, received after this call; rejects if the connection closes first. */
function nextNew(raw: RawClient, match: (f: ReceivedFrame) => boolean): Promise<ReceivedFrame> {
  const start = raw.frames.length;
  return Promise.race([
    raw.next((f) => raw.frames.indexOf(f) >= start && match(f)),
    raw.closed.then(({ code }) => Promise.reject(new Error(`connection closed with ${code}`))),
  ]);
}

/** Attempts an upgrade; resolves with the HTTP status of a refused one, or 101 if it opened. */
function upgradeStatus(url: string, protocols: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('unexpected-response', (_request, response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('error', reject);
  });
}

describe('the first frame', () => {
  it('a non-hello first frame is handshake_required and closes with 4001', async () => {
    const raw = await RawClient.open(broker.url, { hello: false });
    raw.send({ type: 'queue.declare', id: 1, queue: 'early' });
    await expectRefused(raw, 'handshake_required', 4001);
    expect(raw.frames.some((f) => f.header.type === 'ok')).toBe(false);
  });

  it('an unknown frame type or an invalid hello as the first frame is handshake_required (4001)', async () => {
    const firsts: (object | string)[] = [
      { type: 'queue.explode', id: 1 },
      { type: 'hello', version: 'one' },
      { type: 'hello' },
      '["hello", 1]',
    ];
    for (const first of firsts) {
      const raw = await RawClient.open(broker.url, { hello: false });
      if (typeof first === 'string') raw.sendBytes(encodeFrame(first));
      else raw.send(first);
      const closed = await raw.closed;
      const codes = raw.frames.map((f) => `${String(f.header.type)}:${String(f.header.code)}`);
      expect({ first, codes, close: closed.code }).toEqual({ first, codes: ['error:handshake_required'], close: 4001 });
    }
  });

  it('no hello within handshakeTimeout closes with 4002', async () => {
    const impatient = await startBroker({ handshakeTimeout: 200 });
    try {
      const started = Date.now();
      const raw = await RawClient.open(impatient.url, { hello: false });
      await expectRefused(raw, 'handshake_timeout', 4002);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    } finally {
      await impatient.dispose();
    }
  });

  it('hello with version 0 closes with 4003', async () => {
    const raw = await RawClient.open(broker.url, { hello: false });
    raw.send({ type: 'hello', version: 0 });
    await expectRefused(raw, 'unsupported_version', 4003);
  });

  it('hello for an unknown vhost closes with 4004', async () => {
    const raw = await RawClient.open(broker.url, { hello: false });
    raw.send({ type: 'hello', version: 1, vhost: 'no-such-vhost' });
    await expectRefused(raw, 'vhost_not_found', 4004);
  });
});

describe('the upgrade', () => {
  it('is refused with HTTP 400 without the warren.v1 subprotocol', async () => {
    expect(await upgradeStatus(broker.url, [])).toMatchObject({ status: 400 });
    const other = await upgradeStatus(broker.url, ['amqp']);
    expect(other.status).toBe(400);
    expect(other.body).toContain(SUBPROTOCOL);
    // The same socket address with the subprotocol opens.
    expect((await upgradeStatus(broker.url, ['amqp', SUBPROTOCOL])).status).toBe(101);
  });

  it('is refused with HTTP 400 on a path other than /ws', async () => {
    for (const path of ['/other', '/ws/extra', '/']) {
      const url = broker.url.replace(/\/ws$/, path);
      const refused = await upgradeStatus(url, [SUBPROTOCOL]);
      expect(refused.status, path).toBe(400);
      expect(refused.body, path).toContain('/ws');
    }
  });
});

describe('the welcome frame', () => {
  it('carries version 1, the limits, a connection id and the smaller heartbeat', async () => {
    const cases: [proposed: number | undefined, negotiated: number][] = [
      [5_000, 5_000],
      [60_000, 30_000],
      [undefined, 30_000],
      [0, 0],
    ];
    const ids: string[] = [];
    for (const [proposed, negotiated] of cases) {
      const raw = await RawClient.open(broker.url, { hello: false });
      raw.send({ type: 'hello', version: 1, heartbeat: proposed, client: 'handshake-test' });
      const welcome = (await welcomeOf(raw)).header;
      expect(welcome).toMatchObject({
        type: 'welcome',
        version: 1,
        heartbeat: negotiated,
        max_message_size: 2 * 1024 * 1024,
        publish_window: 1234,
      });
      expect(welcome.server).toMatch(/^warren\//);
      expect(typeof welcome.connection_id).toBe('string');
      expect((welcome.connection_id as string).length).toBeGreaterThan(0);
      ids.push(welcome.connection_id as string);
      await raw.close();
    }
    expect(new Set(ids).size).toBe(cases.length);
  });

  it('answers a newer version with the highest the server speaks', async () => {
    const raw = await RawClient.open(broker.url, { hello: false });
    raw.send({ type: 'hello', version: 7 });
    expect((await welcomeOf(raw)).header).toMatchObject({ version: PROTOCOL_VERSION });
    expect(PROTOCOL_VERSION).toBe(1);
    expect((await raw.request({ type: 'queue.declare', queue: '', exclusive: true })).header.type).toBe('ok');
    await raw.close();
  });

  it('the server heartbeat wins when it is smaller', async () => {
    const quick = await startBroker({ heartbeat: 1_000 });
    try {
      const raw = await RawClient.open(quick.url, { hello: false });
      raw.send({ type: 'hello', version: 1, heartbeat: 30_000 });
      expect((await welcomeOf(raw)).header.heartbeat).toBe(1_000);
      await raw.close();
    } finally {
      await quick.dispose();
    }
  });
});

describe('heartbeats', () => {
  const HEARTBEAT = 100;
  let fast: TestBroker;

  beforeAll(async () => {
    fast = await startBroker({ heartbeat: HEARTBEAT });
  });
  afterAll(async () => {
    await fast?.dispose();
  });

  it('a silent peer is closed with 4005 after two intervals', async () => {
    const raw = await RawClient.open(fast.url, { hello: false });
    raw.send({ type: 'hello', version: 1, heartbeat: HEARTBEAT });
    expect((await welcomeOf(raw)).header.heartbeat).toBe(HEARTBEAT);
    const silentSince = Date.now();
    // Stay silent on purpose: nothing is sent from here on.
    await expectClosedWith(raw, 'heartbeat_timeout', 4005);
    expect(Date.now() - silentSince).toBeGreaterThanOrEqual(2 * HEARTBEAT);
    // The server kept sending its own heartbeats while the peer was quiet.
    expect(raw.frames.filter((f) => f.header.type === 'heartbeat').length).toBeGreaterThanOrEqual(1);
  });

  it('a peer that keeps sending heartbeats stays open past three intervals', async () => {
    const raw = await RawClient.open(fast.url, { hello: false });
    raw.send({ type: 'hello', version: 1, heartbeat: HEARTBEAT });
    expect((await welcomeOf(raw)).header.heartbeat).toBe(HEARTBEAT);
    const opened = Date.now();
    // Answer each heartbeat the idle server sends, until well past 3 intervals.
    let beats = 0;
    while (Date.now() - opened <= 4 * HEARTBEAT) {
      await nextNew(raw, (f) => f.header.type === 'heartbeat');
      raw.send({ type: 'heartbeat' });
      beats++;
    }
    expect(beats).toBeGreaterThanOrEqual(3);
    expect(Date.now() - opened).toBeGreaterThan(3 * HEARTBEAT);
    expect(raw.ws.readyState).toBe(WebSocket.OPEN);
    expect(raw.frames.some((f) => f.header.type === 'error')).toBe(false);
    expect((await raw.request({ type: 'queue.declare', queue: '', exclusive: true })).header.type).toBe('ok');
    await raw.close();
  });
});
