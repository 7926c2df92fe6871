import { SUBPROTOCOL, WarrenError } from '@warren/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect } from './client.js';
import { FakeServer } from './testing/fake-socket.js';
import { connected, fakeServer, replyOk, settle } from './testing/helpers.js';

describe('handshake', () => {
  it('opens with the warren.v1 subprotocol in arraybuffer mode and sends hello first', async () => {
    const { server } = await connected({ vhost: 'v1', username: 'u', password: 'p', heartbeat: 5000, name: 'app' });
    expect(server.socket.protocols).toBe(SUBPROTOCOL);
    expect(server.socket.binaryType).toBe('arraybuffer');
    expect(server.frames[0]?.header).toEqual({ type: 'hello', version: 1, vhost: 'v1', username: 'u', password: 'p', heartbeat: 5000, client: 'app' });
  });

  it('proposes vhost / and a 30 s heartbeat by default', async () => {
    const { server } = await connected();
    expect(server.frames[0]?.header).toEqual({ type: 'hello', version: 1, vhost: '/', heartbeat: 30000 });
  });

  it('rejects with the error frame the server sends before closing', async () => {
    const server = new FakeServer();
    server.welcome = null;
    server.onFrame = () => {};
    const connecting = connect('ws://x/ws', { WebSocket: server.WebSocket });
    await settle();
    server.send({ type: 'error', code: 'vhost_not_found', reply_code: 530, message: 'no vhost "nope"' });
    server.close(4004, 'vhost_not_found');
    await expect(connecting).rejects.toMatchObject({ code: 'vhost_not_found', message: 'no vhost "nope"' });
  });

  it('maps a bare close code to its registry error', async () => {
    const server = new FakeServer();
    server.welcome = null;
    const connecting = connect('ws://x/ws', { WebSocket: server.WebSocket });
    await settle();
    server.close(4003, 'unsupported_version');
    await expect(connecting).rejects.toMatchObject({ code: 'unsupported_version' });
  });

  it('gives up after connectTimeout without a welcome and closes the socket', async () => {
    vi.useFakeTimers();
    const server = new FakeServer();
    server.welcome = null;
    const connecting = connect('ws://x/ws', { WebSocket: server.WebSocket, connectTimeout: 500 });
    const outcome = expect(connecting).rejects.toMatchObject({ code: 'handshake_timeout' });
    await vi.advanceTimersByTimeAsync(500);
    await outcome;
    expect(server.socket.closedByClient?.code).toBe(4002);
  });
});

describe('heartbeats', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a heartbeat after heartbeat/2 ms without sending anything', async () => {
    vi.useFakeTimers();
    const { server } = await connected({ heartbeat: 1000 }, fakeServer({ heartbeat: 1000 }));
    await vi.advanceTimersByTimeAsync(499);
    expect(server.framesOf('heartbeat')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.framesOf('heartbeat')).toHaveLength(1);
  });

  it('sends no heartbeat while other frames keep going out', async () => {
    vi.useFakeTimers();
    const server = fakeServer({ heartbeat: 1000 });
    const { client } = await connected({}, server);
    replyOk(server);
    for (let ms = 0; ms < 3000; ms += 200) {
      await client.purgeQueue('q').catch(() => {});
      await vi.advanceTimersByTimeAsync(200);
    }
    expect(server.framesOf('heartbeat')).toHaveLength(0);
  });

  it('closes with heartbeat_timeout when nothing arrives for 2 × heartbeat, failing what is pending', async () => {
    vi.useFakeTimers();
    const server = fakeServer({ heartbeat: 1000 });
    const { client } = await connected({}, server);
    const pending = client.purgeQueue('q');
    const outcome = expect(pending).rejects.toMatchObject({ code: 'heartbeat_timeout' });
    await vi.advanceTimersByTimeAsync(1999);
    expect(server.socket.closedByClient).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1000);
    await outcome;
    await expect(client.closed).resolves.toMatchObject({ code: 'heartbeat_timeout' });
    expect(server.socket.closedByClient?.code).toBe(4005);
  });

  it('stays open while the server keeps talking', async () => {
    vi.useFakeTimers();
    const server = fakeServer({ heartbeat: 1000 });
    await connected({}, server);
    for (let ms = 0; ms < 10_000; ms += 500) {
      server.send({ type: 'heartbeat' });
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(server.socket.closedByClient).toBeUndefined();
  });

  it('are off when the welcome says 0', async () => {
    vi.useFakeTimers();
    const { server } = await connected({}, fakeServer({ heartbeat: 0 }));
    await vi.advanceTimersByTimeAsync(600_000);
    expect(server.framesOf('heartbeat')).toHaveLength(0);
    expect(server.socket.closedByClient).toBeUndefined();
  });
});

describe('closing', () => {
  it('close() sends close, resolves on the server close, and closed resolves with undefined', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => {
      if (frame.header.type === 'close') server.send({ type: 'close' });
    };
    await client.close();
    expect(server.framesOf('close')).toHaveLength(1);
    await expect(client.closed).resolves.toBeUndefined();
    expect(server.socket.closedByClient?.code).toBe(1000);
  });

  it('lets replies to earlier requests arrive before the close', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => {
      if (frame.header.type === 'queue.purge') server.send({ type: 'ok', id: frame.header.id, message_count: 3 });
      if (frame.header.type === 'close') server.send({ type: 'close' });
    };
    const purged = client.purgeQueue('q');
    await client.close();
    await expect(purged).resolves.toEqual({ messageCount: 3 });
  });

  it('rejects operations after close() with shutting_down', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => {
      if (frame.header.type === 'close') server.send({ type: 'close' });
    };
    await client.close();
    await expect(client.purgeQueue('q')).rejects.toMatchObject({ code: 'shutting_down' });
    await expect(client.publish('', 'q', 'x')).rejects.toMatchObject({ code: 'shutting_down' });
  });

  it('reports a server shutdown through closed and fails pending requests', async () => {
    const { client, server } = await connected();
    const pending = client.purgeQueue('q');
    await settle();
    server.send({ type: 'close', code: 'shutting_down', message: 'bye' });
    server.close(1001, 'shutting_down');
    await expect(pending).rejects.toMatchObject({ code: 'shutting_down' });
    const reason = await client.closed;
    expect(reason).toBeInstanceOf(WarrenError);
    expect(reason?.code).toBe('shutting_down');
  });

  it('reports a connection-scoped error frame followed by a close as the reason', async () => {
    const { client, server } = await connected();
    server.send({ type: 'error', code: 'frame_malformed', reply_code: 501, message: 'bad bytes' });
    server.close(1002, 'frame_malformed');
    await expect(client.closed).resolves.toMatchObject({ code: 'frame_malformed', message: 'bad bytes' });
  });

  it('reports a dropped socket as internal_error naming the close code', async () => {
    const { client, server } = await connected();
    server.close(1006);
    const reason = await client.closed;
    expect(reason?.code).toBe('internal_error');
    expect(reason?.message).toContain('1006');
  });

  it('ends the connection on a message that does not decode into frames', async () => {
    const { client, server } = await connected();
    server.sendRaw(new Uint8Array([0, 0, 0, 9, 1]).buffer);
    await expect(client.closed).resolves.toMatchObject({ code: 'frame_malformed' });
    expect(server.socket.closedByClient?.code).toBe(1000);
  });
});

describe('forward compatibility', () => {
  it('ignores frame types it does not know and keeps working', async () => {
    const { client, server } = await connected();
    replyOk(server, () => ({ message_count: 1 }));
    server.send({ type: 'something.new', x: 1 });
    await expect(client.purgeQueue('q')).resolves.toEqual({ messageCount: 1 });
  });
});
