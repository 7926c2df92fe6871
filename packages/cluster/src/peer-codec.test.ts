import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './peer-codec.js';
import type { Message } from './raft/types.js';

describe('peer codec', () => {
  it('round-trips every field, entry payloads and snapshot bytes included', () => {
    const messages: Message[] = [
      { type: 'append', from: 'a', to: 'b', term: 3, index: 7, logTerm: 2, commit: 6, entries: [
        { term: 3, index: 8, type: 'normal', data: new Uint8Array([1, 2, 3]) },
        { term: 3, index: 9, type: 'conf', data: new TextEncoder().encode('{"type":"remove","node":"c"}') },
        { term: 3, index: 10, type: 'normal', data: new Uint8Array(0) },
      ] },
      { type: 'appendResp', from: 'b', to: 'a', term: 3, index: 7, reject: true, hint: 4, logTerm: 2 },
      { type: 'snapshot', from: 'a', to: 'c', term: 3, snapshot: { index: 40, term: 2, conf: { voters: ['a', 'b', 'c'], learners: ['d'] }, data: new Uint8Array([9, 8, 7]) } },
      { type: 'heartbeat', from: 'a', to: 'b', term: 3, commit: 5, context: 'r1' },
    ];
    for (const m of messages) {
      const back = decodeMessage(encodeMessage(m));
      expect({ ...back, entries: back.entries?.map((e) => ({ ...e, data: [...e.data] })), snapshot: back.snapshot && { ...back.snapshot, data: [...back.snapshot.data] } }).toEqual({
        ...m,
        entries: m.entries?.map((e) => ({ ...e, data: [...e.data] })),
        snapshot: m.snapshot && { ...m.snapshot, data: [...m.snapshot.data] },
      });
    }
  });
});
