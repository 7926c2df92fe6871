import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PeerTransport } from './peer-transport.js';
import type { Message } from './raft/types.js';

const open: PeerTransport[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

describe('PeerTransport over loopback', () => {
  it('delivers a Ready worth of messages to a peer, in order, entry bytes intact', async () => {
    const [a, b] = [await PeerTransport.listen(), await PeerTransport.listen()];
    open.push(a, b);
    a.setPeer('b', { host: '127.0.0.1', port: b.port });
    const got: Message[] = [];
    const all = new Promise<void>((resolve) => {
      b.onMessage = (m) => {
        got.push(m);
        if (got.length === 3) resolve();
      };
    });
    a.send([
      { type: 'heartbeat', from: 'a', to: 'b', term: 2, commit: 1 },
      { type: 'append', from: 'a', to: 'b', term: 2, index: 1, logTerm: 1, commit: 1, entries: [{ index: 2, term: 2, type: 'normal', data: new Uint8Array([5, 6]) }] },
      { type: 'timeoutNow', from: 'a', to: 'b', term: 2 },
    ]);
    await all;
    expect(got.map((m) => m.type)).toEqual(['heartbeat', 'append', 'timeoutNow']);
    expect([...got[1]!.entries![0]!.data]).toEqual([5, 6]);
  });

  it('drops a connection that sends a frame larger than any Raft message, and keeps serving others', async () => {
    const b = await PeerTransport.listen();
    open.push(b);
    const socket = connect({ host: '127.0.0.1', port: b.port });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(0xffffffff, 0);
    socket.write(head);
    await closed;
    const a = await PeerTransport.listen();
    open.push(a);
    a.setPeer('b', { host: '127.0.0.1', port: b.port });
    const got = new Promise<Message>((resolve) => (b.onMessage = resolve));
    a.send([{ type: 'heartbeat', from: 'a', to: 'b', term: 1, commit: 0 }]);
    expect(await got).toMatchObject({ type: 'heartbeat', from: 'a' });
  });
});
