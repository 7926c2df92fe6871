/** The fuzz oracle must be able to fail, or a passing fuzz run proves nothing: one test per rule. */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '@warren/protocol';
import { SessionBench } from './session-bench.js';

const bench = new SessionBench();
afterAll(() => bench.close());

describe('the fuzz oracle', () => {
  it('passes a well-behaved exchange of frames', async () => {
    const connection = await bench.open();
    connection.receive(encodeFrame({ type: 'queue.declare', id: 1, queue: 'oracle-q' }));
    connection.receive(encodeFrame({ type: 'publish', seq: 1, exchange: '', routing_key: 'oracle-q' }, new Uint8Array([1])));
    connection.receive(encodeFrame({ type: 'queue.explode', id: 2 }));
    await connection.settle();
    expect(connection.replies.map((f) => f.type)).toEqual(expect.arrayContaining(['ok', 'publish.ack', 'error']));
    expect(connection.check()).toEqual([]);
  });

  it('flags an unregistered error code and an unregistered close', async () => {
    const connection = await bench.open();
    connection.socket.sent.push({ header: { type: 'error', code: 'bogus', reply_code: 1, message: '' }, body: new Uint8Array(0) });
    connection.socket.closes.push({ code: 4999, reason: 'bogus' });
    expect(connection.check()).toEqual([
      'error frame with an unregistered code: {"type":"error","code":"bogus","reply_code":1,"message":""}',
      "closed with 4999 'bogus', not a registered close",
    ]);
  });

  it('flags internal_error and a wrong reply code', async () => {
    const connection = await bench.open();
    connection.socket.sent.push({ header: { type: 'error', code: 'internal_error', reply_code: 541, message: 'x' }, body: new Uint8Array(0) });
    connection.socket.sent.push({ header: { type: 'error', code: 'queue_not_found', reply_code: 405, message: 'x' }, body: new Uint8Array(0) });
    expect(connection.check()).toHaveLength(2);
  });

  it('flags a request left unanswered and a publish neither acked nor nacked', async () => {
    const connection = await bench.open();
    connection.receive(encodeFrame({ type: 'queue.declare', id: 77, queue: 'oracle-q' }));
    connection.receive(encodeFrame({ type: 'publish', seq: 1, exchange: '', routing_key: 'oracle-q' }));
    await connection.settle();
    const sent = connection.socket.sent;
    sent.splice(sent.findIndex((f) => f.header.id === 77), 1);
    sent.splice(sent.findIndex((f) => f.header.type === 'publish.ack'), 1);
    expect(connection.check()).toEqual(['publish seq 1 was neither acked nor nacked', 'id 77: 0 replies, expected 1']);
  });

  it('flags a request answered twice', async () => {
    const connection = await bench.open();
    connection.receive(encodeFrame({ type: 'queue.declare', id: 78, queue: 'oracle-q' }));
    await connection.settle();
    connection.socket.sent.push({ header: { type: 'ok', id: 78 }, body: new Uint8Array(0) });
    expect(connection.check()).toEqual(['id 78: 2 replies, expected 1']);
  });

  it('flags an error logged by the session or the broker', async () => {
    const connection = await bench.open();
    connection.session.logger.error({ err: new Error('boom') }, 'unexpected error handling a frame');
    expect(connection.check()).toEqual([expect.stringContaining('logged error: unexpected error handling a frame Error: boom')]);
  });

  it('flags a process warning, such as a timer that overflows', async () => {
    const connection = await bench.open();
    process.emitWarning('4294967295 does not fit into a 32-bit signed integer.', 'TimeoutOverflowWarning');
    await connection.settle();
    expect(connection.check()).toEqual(['process warning: TimeoutOverflowWarning: 4294967295 does not fit into a 32-bit signed integer.']);
  });
});
