import { decodeFrames, encodeFrame, SUBPROTOCOL } from '@warren/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WsWebSocket, { WebSocketServer } from 'ws';
import { connect } from './client.js';
import { nodeSocketOptions, resolveWebSocket, type WebSocketConstructor } from './transport.js';

// Compile-time checks: the DOM's WebSocket class and ws's both fit the constructor the client takes.
const fromDom = (given: typeof globalThis.WebSocket): WebSocketConstructor => given;
const fromWs = (given: typeof WsWebSocket): WebSocketConstructor => given;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('choosing the WebSocket', () => {
  it('takes the constructor given', async () => {
    class Given {}
    await expect(resolveWebSocket(Given as unknown as WebSocketConstructor)).resolves.toBe(Given);
  });

  it('uses the global WebSocket when there is one', async () => {
    class Global {}
    vi.stubGlobal('WebSocket', Global);
    await expect(resolveWebSocket()).resolves.toBe(Global);
  });

  it('falls back to the ws package without a global one (Node 20)', async () => {
    vi.stubGlobal('WebSocket', undefined);
    await expect(resolveWebSocket()).resolves.toBe(fromWs(WsWebSocket));
    expect(typeof fromDom).toBe('function');
  });
});

describe('masking keys with ws', () => {
  const zeroKey = (url: string, maskFrames?: boolean) => nodeSocketOptions(url, maskFrames).generateMask !== undefined;

  it('uses a zero key by default only where no intermediary reads the frames: TLS or loopback', () => {
    for (const url of ['wss://broker.example/', 'ws://127.0.0.1:5672', 'ws://127.8.9.10/', 'ws://localhost:5672', 'ws://[::1]:5672']) expect(zeroKey(url), url).toBe(true);
    for (const url of ['ws://broker.example:5672', 'ws://10.0.0.7:5672', 'ws://127.0.0.1.example/']) expect(zeroKey(url), url).toBe(false);
  });

  it('lets maskFrames decide for every URL', () => {
    expect(zeroKey('wss://broker.example/', true)).toBe(false);
    expect(zeroKey('ws://broker.example:5672', false)).toBe(true);
  });
});

describe('over a real ws socket', () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('handshakes with warren.v1, publishes binary frames and gets the confirm', async () => {
    const seen: string[] = [];
    server = new WebSocketServer({ port: 0, handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false) });
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        expect(isBinary).toBe(true);
        for (const { header, body } of decodeFrames(new Uint8Array(data))) {
          const frame = header as { type: string; seq?: number };
          seen.push(frame.type === 'publish' ? `publish:${new TextDecoder().decode(body)}` : frame.type);
          if (frame.type === 'hello') {
            socket.send(encodeFrame({ type: 'welcome', version: 1, server: 'test', connection_id: 'c', heartbeat: 0, max_message_size: 1024, publish_window: 10 }));
          }
          if (frame.type === 'publish') socket.send(encodeFrame({ type: 'publish.ack', seq: frame.seq }));
          if (frame.type === 'close') socket.send(encodeFrame({ type: 'close' }), () => socket.close(1000));
        }
      });
    });
    await new Promise((resolve) => server?.once('listening', resolve));
    const { port } = server.address() as { port: number };
    vi.stubGlobal('WebSocket', undefined);
    const client = await connect(`ws://127.0.0.1:${port}/ws`);
    await client.publish('', 'q', 'hi');
    await client.close();
    await expect(client.closed).resolves.toBeUndefined();
    expect(seen).toEqual(['hello', 'publish:hi', 'close']);
  });
});
