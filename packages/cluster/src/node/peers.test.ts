import { describe, expect, it } from 'vitest';
import { parsePeer, parsePeers } from './peers.js';

describe('peers', () => {
  it('parses id@host:port, an id that holds @ (RabbitMQ-style names) and a bracketed IPv6 host', () => {
    expect(parsePeer('a@10.0.0.1:5681')).toEqual({ id: 'a', host: '10.0.0.1', port: 5681 });
    expect(parsePeer('warren@warren-0@warren-0:5681')).toEqual({ id: 'warren@warren-0', host: 'warren-0', port: 5681 });
    expect(parsePeer('c@[::1]:7000')).toEqual({ id: 'c', host: '::1', port: 7000 });
    expect(parsePeers(' a@h:1 ,, b@h:2 ').map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('refuses what is not a peer', () => {
    for (const bad of ['h:1', '@h:1', 'a@h', 'a@:1', 'a@h:0', 'a@h:65536', 'a@h:x']) expect(() => parsePeer(bad), bad).toThrow(/must be id@host:port/);
    expect(() => parsePeers('a@h:1,a@h:2')).toThrow(/listed twice/);
  });
});
