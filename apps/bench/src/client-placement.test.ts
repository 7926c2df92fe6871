import { describe, expect, it } from 'vitest';
import { placeClients } from './client-placement.js';

describe('placeClients', () => {
  const urls = ['ws://a', 'ws://b', 'ws://c'];

  it('puts the producer on the leader and the consumer on the next node', () => {
    expect(placeClients(urls, 0)).toEqual({ producer: 'ws://a', consumer: 'ws://b', producerNode: 0, consumerNode: 1 });
    expect(placeClients(urls, 1)).toEqual({ producer: 'ws://b', consumer: 'ws://c', producerNode: 1, consumerNode: 2 });
  });

  it('wraps around from the last node to the first', () => {
    expect(placeClients(urls, 2)).toEqual({ producer: 'ws://c', consumer: 'ws://a', producerNode: 2, consumerNode: 0 });
  });

  it('puts both on the leader when asked', () => {
    expect(placeClients(urls, 1, 'leader')).toEqual({ producer: 'ws://b', consumer: 'ws://b', producerNode: 1, consumerNode: 1 });
  });

  it('uses the one node for both on a single node', () => {
    expect(placeClients(['ws://only'], 0)).toEqual({ producer: 'ws://only', consumer: 'ws://only', producerNode: 0, consumerNode: 0 });
  });

  it('refuses a leader that is not one of the nodes', () => {
    expect(() => placeClients(urls, 3)).toThrow(/leader index 3/);
    expect(() => placeClients(urls, -1)).toThrow(/leader index -1/);
    expect(() => placeClients([], 0)).toThrow(/no node/);
  });
});
