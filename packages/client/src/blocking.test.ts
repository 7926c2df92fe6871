import { describe, expect, it } from 'vitest';
import type { BlockedEvent } from './client-events.js';
import { connected, settle } from './testing/helpers.js';

describe('connection blocking', () => {
  it('emits blocked with the reason and unblocked, and the getter follows', async () => {
    const { client, server } = await connected();
    const events: Array<BlockedEvent | 'unblocked'> = [];
    client.on('blocked', (event) => events.push(event)).on('unblocked', () => events.push('unblocked'));
    expect(client.blocked).toBe(false);
    server.send({ type: 'connection.blocked', reason: 'memory' });
    await settle();
    expect(client.blocked).toBe(true);
    server.send({ type: 'connection.unblocked' });
    await settle();
    expect(client.blocked).toBe(false);
    expect(events).toEqual([{ reason: 'memory' }, 'unblocked']);
  });

  it('holds publishes made while blocked and sends them in order once unblocked', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => {
      if (frame.header.type === 'publish') server.send({ type: 'publish.ack', seq: frame.header.seq });
    };
    await client.publish('', 'q', 'before');
    server.send({ type: 'connection.blocked', reason: 'disk' });
    await settle();
    const held = [client.publish('', 'q', 'a'), client.publish('', 'q', 'b')];
    await settle();
    expect(server.framesOf('publish')).toHaveLength(1);
    server.send({ type: 'connection.unblocked' });
    await Promise.all(held);
    expect(server.framesOf('publish').map((f) => [f.header.seq, new TextDecoder().decode(f.body)])).toEqual([
      [1, 'before'],
      [2, 'a'],
      [3, 'b'],
    ]);
  });

  it('takes a repeated blocked once and stops calling a listener after off', async () => {
    const { client, server } = await connected();
    let calls = 0;
    const count = () => void calls++;
    client.on('blocked', count);
    server.send({ type: 'connection.blocked', reason: 'memory' }, { type: 'connection.blocked', reason: 'disk' });
    await settle();
    expect(calls).toBe(1);
    client.off('blocked', count);
    server.send({ type: 'connection.unblocked' }, { type: 'connection.blocked', reason: 'disk' });
    await settle();
    expect(calls).toBe(1);
    expect(client.blocked).toBe(true);
  });

  it('rejects the publishes still held when the connection closes', async () => {
    const { client, server } = await connected();
    server.onFrame = (frame) => {
      if (frame.header.type === 'close') server.send({ type: 'close' });
    };
    server.send({ type: 'connection.blocked', reason: 'memory' });
    await settle();
    const held = client.publish('', 'q', 'never');
    await client.close();
    await expect(held).rejects.toMatchObject({ code: 'shutting_down' });
    expect(server.framesOf('publish')).toHaveLength(0);
  });
});
