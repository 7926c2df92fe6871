import { describe, expect, it } from 'vitest';
import './validation.js';
import { checkExchangeArguments, checkQueueArguments } from './arguments.js';
import type { RawFrame } from './codec.js';
import { WarrenError, type ErrorCode } from './errors.js';
import { CLIENT_FRAME_SCHEMAS, parseClientFrame } from './validate.js';

const EMPTY = new Uint8Array(0);

function parse(header: unknown, body: Uint8Array = EMPTY) {
  return parseClientFrame({ header, body } satisfies RawFrame);
}

function rejection(header: unknown, code: ErrorCode = 'frame_invalid'): WarrenError {
  let thrown: unknown;
  try {
    parse(header);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, JSON.stringify(header)).toBeInstanceOf(WarrenError);
  expect((thrown as WarrenError).code, JSON.stringify(header)).toBe(code);
  return thrown as WarrenError;
}

/** A minimal and a complete valid frame of every client frame type. */
const VALID: Record<string, Array<Record<string, unknown>>> = {
  hello: [
    { type: 'hello', version: 1 },
    { type: 'hello', version: 1, vhost: '/', username: 'guest', password: 'guest', heartbeat: 0, client: 'warren-js/0.1.0' },
    { type: 'hello', version: 1, token: 'eyJ.x.y' },
  ],
  heartbeat: [{ type: 'heartbeat' }],
  'auth.refresh': [{ type: 'auth.refresh', id: 3, token: 'eyJ.x.y' }],
  close: [{ type: 'close' }, { type: 'close', code: 'shutting_down', message: 'bye' }],
  'exchange.declare': [
    { type: 'exchange.declare', id: 0, exchange: 'orders', kind: 'topic' },
    {
      type: 'exchange.declare',
      id: 0xffffffff,
      exchange: 'ae',
      kind: 'fanout',
      durable: false,
      auto_delete: true,
      internal: true,
      passive: false,
      arguments: { 'alternate-exchange': 'other' },
    },
  ],
  'exchange.delete': [
    { type: 'exchange.delete', id: 1, exchange: 'orders' },
    { type: 'exchange.delete', id: 1, exchange: 'orders', if_unused: true },
  ],
  'exchange.bind': [
    { type: 'exchange.bind', id: 2, destination: 'd', source: 's' },
    { type: 'exchange.bind', id: 2, destination: 'd', source: 's', routing_key: 'a.*', arguments: { 'x-match': 'any' } },
  ],
  'exchange.unbind': [
    { type: 'exchange.unbind', id: 3, destination: 'd', source: 's' },
    { type: 'exchange.unbind', id: 3, destination: 'd', source: 's', routing_key: 'a.#', arguments: {} },
  ],
  'queue.declare': [
    { type: 'queue.declare', id: 4, queue: '' },
    {
      type: 'queue.declare',
      id: 4,
      queue: 'jobs',
      durable: true,
      exclusive: false,
      auto_delete: false,
      passive: false,
      arguments: { 'x-max-priority': 10 },
    },
  ],
  'queue.bind': [
    { type: 'queue.bind', id: 5, queue: 'jobs', exchange: 'orders' },
    { type: 'queue.bind', id: 5, queue: 'jobs', exchange: 'orders', routing_key: 'order.*', arguments: {} },
  ],
  'queue.unbind': [
    { type: 'queue.unbind', id: 6, queue: 'jobs', exchange: 'orders' },
    { type: 'queue.unbind', id: 6, queue: 'jobs', exchange: 'orders', routing_key: 'order.*', arguments: {} },
  ],
  'queue.purge': [{ type: 'queue.purge', id: 7, queue: 'jobs' }],
  'queue.delete': [
    { type: 'queue.delete', id: 8, queue: 'jobs' },
    { type: 'queue.delete', id: 8, queue: 'jobs', if_unused: true, if_empty: true },
  ],
  publish: [
    { type: 'publish', seq: 1, exchange: '', routing_key: 'jobs' },
    {
      type: 'publish',
      seq: Number.MAX_SAFE_INTEGER,
      exchange: 'orders',
      routing_key: 'order.eu',
      mandatory: true,
      properties: {
        content_type: 'application/json',
        content_encoding: 'utf-8',
        correlation_id: 'c1',
        reply_to: 'replies',
        expiration: '60000',
        message_id: 'm1',
        timestamp: 1_700_000_000_000,
        type: 'order.created',
        app_id: 'shop',
        user_id: 'guest',
        priority: 255,
        persistent: true,
      },
      headers: { region: 'eu', nested: { a: [1, 2] } },
    },
  ],
  consume: [
    { type: 'consume', id: 9, queue: 'jobs' },
    { type: 'consume', id: 9, queue: 'jobs', consumer_tag: 'c1', prefetch: 65535, no_ack: false, exclusive: true, arguments: {}, ack_timeout: 0 },
  ],
  cancel: [{ type: 'cancel', id: 10, consumer_tag: 'c1' }],
  ack: [{ type: 'ack', delivery_tag: 1 }, { type: 'ack', delivery_tag: 5, multiple: true }],
  nack: [{ type: 'nack', delivery_tag: 1 }, { type: 'nack', delivery_tag: 5, multiple: true, requeue: false, error: 'boom' }],
  reject: [{ type: 'reject', delivery_tag: 1 }, { type: 'reject', delivery_tag: 2, requeue: false, error: '' }],
  retry: [{ type: 'retry', delivery_tag: 1 }, { type: 'retry', delivery_tag: 2, delay: 500, error: 'later' }],
  extend: [{ type: 'extend', delivery_tag: 1, ms: 100 }, { type: 'extend', delivery_tag: 2, ms: 0xffffffff }],
  'policy.declare': [{ type: 'policy.declare', id: 1, name: 'p', policy: { pattern: '.*', definition: { 'max-length': 1 } } }],
  'policy.delete': [{ type: 'policy.delete', id: 1, name: 'p' }],
  'policy.list': [{ type: 'policy.list', id: 1 }],
  'queue.browse': [
    { type: 'queue.browse', id: 1, queue: 'q' },
    { type: 'queue.browse', id: 1, queue: 'q', after: 41, count: 1000, filter: { routing_key: 'a.*', headers: { h: 1 }, body_contains: 'x', json_path: '$.a', equals: null } },
  ],
  'scheduled.list': [
    { type: 'scheduled.list', id: 1 },
    { type: 'scheduled.list', id: 1, queue: 'q', page: 2, page_size: 500 },
  ],
  'scheduled.cancel': [{ type: 'scheduled.cancel', id: 1, scheduled_id: 's' }],
  'scheduled.reschedule': [
    { type: 'scheduled.reschedule', id: 1, scheduled_id: 's', due: 0 },
    { type: 'scheduled.reschedule', id: 1, scheduled_id: 's', due: '2030-01-31T12:00:00Z' },
  ],
};

describe('parseClientFrame: valid frames', () => {
  it('has an example of every client frame type', () => {
    expect(Object.keys(VALID).sort()).toEqual(Object.keys(CLIENT_FRAME_SCHEMAS).sort());
  });

  for (const [type, examples] of Object.entries(VALID)) {
    it(`accepts ${type}`, () => {
      for (const header of examples) {
        const frame = parse(structuredClone(header));
        expect(frame.type).toBe(type);
        const { body: _body, ...fields } = frame as unknown as Record<string, unknown>;
        expect(fields).toEqual(header);
      }
    });
  }

  it('ignores unknown fields, so minor versions can add optional ones', () => {
    const frame = parse({ type: 'queue.declare', id: 1, queue: 'q', future_flag: true, properties: { x: 1 } });
    expect(frame.type).toBe('queue.declare');
    expect((frame as unknown as Record<string, unknown>).future_flag).toBe(true);
    const publish = parse({ type: 'publish', seq: 1, exchange: '', routing_key: 'q', properties: { persistent: true, future: 'x' } });
    expect(publish.type).toBe('publish');
  });

  it('returns the header object itself, adding nothing to it', () => {
    const header = { type: 'publish', seq: 1, exchange: '', routing_key: 'q' };
    const publish = parseClientFrame({ header, body: new Uint8Array([0, 1, 2, 255]) });
    expect(publish).toBe(header);
    expect(Object.keys(publish)).toEqual(['type', 'seq', 'exchange', 'routing_key']);
  });

  it('accepts names of 255 characters, counted in code points', () => {
    parse({ type: 'queue.declare', id: 1, queue: 'q'.repeat(255) });
    parse({ type: 'queue.declare', id: 1, queue: '🐇'.repeat(255) });
    rejection({ type: 'queue.declare', id: 1, queue: 'q'.repeat(256) });
  });
});

describe('parseClientFrame: rejected frames', () => {
  it('rejects a header that is not a JSON object', () => {
    for (const header of [null, [], [{ type: 'heartbeat' }], 'heartbeat', 42, true]) {
      const error = rejection(header, 'frame_invalid');
      expect(error.message).toMatch(/JSON object/);
    }
  });

  it('rejects an unknown type with frame_unknown, carrying an integer id', () => {
    const error = rejection({ type: 'queue.explode', id: 17 }, 'frame_unknown');
    expect(error.message).toContain('queue.explode');
    expect(error.context?.id).toBe(17);
    expect(error.scope).toBe('operation');
  });

  it('rejects a missing or non-string type with frame_unknown', () => {
    expect(rejection({ id: 3 }, 'frame_unknown').context?.id).toBe(3);
    rejection({ type: 42 }, 'frame_unknown');
    rejection({ type: null }, 'frame_unknown');
    rejection({}, 'frame_unknown');
  });

  it('carries no id when the id is not an integer', () => {
    expect(rejection({ type: 'nope', id: '5' }, 'frame_unknown').context?.id).toBeUndefined();
    expect(rejection({ type: 'nope', id: 1.5 }, 'frame_unknown').context?.id).toBeUndefined();
    expect(rejection({ type: 'nope' }, 'frame_unknown').context?.id).toBeUndefined();
  });

  it('does not treat frame types of the server as client frames', () => {
    for (const type of ['welcome', 'ok', 'error', 'deliver', 'publish.ack', 'publish.nack', 'publish.return', 'consumer.cancelled', 'connection.blocked', 'connection.unblocked']) {
      rejection({ type }, 'frame_unknown');
    }
  });

  it('rejects wrong field types with frame_invalid naming the field', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'hello', version: '1' }, 'version'],
      [{ type: 'hello', version: 1, heartbeat: -1 }, 'heartbeat'],
      [{ type: 'queue.declare', id: 1, queue: 'q', durable: 'yes' }, 'durable'],
      [{ type: 'queue.declare', id: 1, queue: 7 }, 'queue'],
      [{ type: 'queue.declare', id: 1, queue: 'q', arguments: [] }, 'arguments'],
      [{ type: 'exchange.declare', id: 1, exchange: 'x', kind: 'round-robin' }, 'kind'],
      [{ type: 'exchange.bind', id: 1, destination: 'd', source: 's', routing_key: 5 }, 'routing_key'],
      [{ type: 'queue.delete', id: 1, queue: 'q', if_empty: 1 }, 'if_empty'],
      [{ type: 'consume', id: 1, queue: 'q', prefetch: 65536 }, 'prefetch'],
      [{ type: 'consume', id: 1, queue: 'q', no_ack: 'true' }, 'no_ack'],
      [{ type: 'ack', delivery_tag: 0 }, 'delivery_tag'],
      [{ type: 'nack', delivery_tag: 1, requeue: 'no' }, 'requeue'],
      [{ type: 'reject', delivery_tag: 1.5 }, 'delivery_tag'],
      [{ type: 'nack', delivery_tag: 1, error: 42 }, 'error'],
      [{ type: 'reject', delivery_tag: 1, error: null }, 'error'],
      [{ type: 'retry', delivery_tag: 1, error: { message: 'x' } }, 'error'],
      [{ type: 'extend', delivery_tag: 1, ms: -1 }, 'ms'],
      [{ type: 'extend', delivery_tag: 1, ms: 0 }, 'ms'],
      [{ type: 'extend', delivery_tag: 1, ms: 99 }, 'ms'],
      [{ type: 'consume', id: 1, queue: 'q', ack_timeout: -5 }, 'ack_timeout'],
      [{ type: 'publish', seq: 1, exchange: '', routing_key: 'q', mandatory: 1 }, 'mandatory'],
      [{ type: 'publish', seq: 1, exchange: '', routing_key: 'q', properties: { priority: 256 } }, 'properties.priority'],
      [{ type: 'publish', seq: 1, exchange: '', routing_key: 'q', properties: { expiration: 60000 } }, 'properties.expiration'],
      [{ type: 'publish', seq: 1, exchange: '', routing_key: 'q', properties: { expiration: '-1' } }, 'properties.expiration'],
      [{ type: 'publish', seq: 1, exchange: '', routing_key: 'q', headers: 'x' }, 'headers'],
      [{ type: 'close', code: 1000 }, 'code'],
    ];
    for (const [header, field] of cases) {
      const error = rejection(header, 'frame_invalid');
      expect(error.message, JSON.stringify(header)).toContain(`${header.type as string}: ${field} `);
    }
  });

  it('rejects a request id outside u32, keeping the id for the reply', () => {
    const error = rejection({ type: 'queue.purge', id: 2 ** 32, queue: 'q' });
    expect(error.message).toContain('id');
    expect(error.context?.id).toBe(2 ** 32);
    rejection({ type: 'queue.purge', id: -1, queue: 'q' });
  });

  it('rejects missing required fields, naming them', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'hello' }, 'version'],
      [{ type: 'queue.declare', queue: 'q' }, 'id'],
      [{ type: 'queue.declare', id: 1 }, 'queue'],
      [{ type: 'exchange.declare', id: 1, exchange: 'x' }, 'kind'],
      [{ type: 'exchange.bind', id: 1, source: 's' }, 'destination'],
      [{ type: 'queue.bind', id: 1, queue: 'q' }, 'exchange'],
      [{ type: 'cancel', id: 1 }, 'consumer_tag'],
      [{ type: 'consume', id: 1 }, 'queue'],
      [{ type: 'ack' }, 'delivery_tag'],
      [{ type: 'publish', seq: 1, exchange: '' }, 'routing_key'],
      [{ type: 'publish', exchange: '', routing_key: 'q' }, 'seq'],
    ];
    for (const [header, field] of cases) {
      const error = rejection(header, 'frame_invalid');
      expect(error.message, JSON.stringify(header)).toContain(`'${field}'`);
    }
  });

  it('keeps the id of an invalid request so the error answers it', () => {
    expect(rejection({ type: 'queue.declare', id: 12 }).context?.id).toBe(12);
    expect(rejection({ type: 'queue.declare', queue: 'q' }).context?.id).toBeUndefined();
  });

  it('keeps the seq of an invalid publish so it can be nacked', () => {
    const error = rejection({ type: 'publish', seq: 3, exchange: '', routing_key: 7 });
    expect(error.context).toEqual({ seq: 3 });
    expect(rejection({ type: 'publish', seq: 0, exchange: '', routing_key: 'q' }).context?.seq).toBe(0);
    expect(rejection({ type: 'publish', seq: '3', exchange: '', routing_key: 'q' }).context?.seq).toBeUndefined();
    expect(rejection({ type: 'publish', exchange: '', routing_key: 'q' }).context?.seq).toBeUndefined();
  });

  it('reads seq only from publish frames', () => {
    expect(rejection({ type: 'ack', seq: 4 }).context?.seq).toBeUndefined();
  });
});

function argumentRejection(check: () => void): WarrenError {
  let thrown: unknown;
  try {
    check();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WarrenError);
  expect((thrown as WarrenError).code).toBe('invalid_argument');
  return thrown as WarrenError;
}

describe('checkQueueArguments', () => {
  it('accepts valid values of every known argument', () => {
    checkQueueArguments({});
    checkQueueArguments({
      'x-message-ttl': 0,
      'x-expires': 1,
      'x-max-length': 0,
      'x-max-length-bytes': 1_000_000,
      'x-overflow': 'reject-publish',
      'x-dead-letter-exchange': 'dlx',
      'x-dead-letter-routing-key': 'dead',
      'x-delivery-limit': 5,
      'x-max-priority': 255,
      'x-queue-type': 'classic',
      'x-queue-mode': 'lazy',
      'x-single-active-consumer': true,
    });
    checkQueueArguments({ 'x-message-ttl': 0xffffffff, 'x-expires': 0xffffffff, 'x-max-priority': 0 });
    for (const overflow of ['drop-head', 'reject-publish', 'reject-publish-dlx']) checkQueueArguments({ 'x-overflow': overflow });
    for (const type of ['classic', 'quorum', 'replicated']) checkQueueArguments({ 'x-queue-type': type });
    checkQueueArguments({ 'x-queue-mode': 'default' });
  });

  it('accepts and ignores unknown arguments', () => {
    checkQueueArguments({ 'x-something-new': { any: ['value'] }, plain: 1, 'x-message-ttl': 1000 });
  });

  it('rejects wrong types and ranges with invalid_argument naming the argument', () => {
    const cases: Array<[string, unknown]> = [
      ['x-message-ttl', -1],
      ['x-message-ttl', 1.5],
      ['x-message-ttl', '1000'],
      ['x-message-ttl', 2 ** 32],
      ['x-expires', 0],
      ['x-max-length', -1],
      ['x-max-length-bytes', 'big'],
      ['x-overflow', 'drop-tail'],
      ['x-dead-letter-exchange', 42],
      ['x-dead-letter-exchange', 'x'.repeat(256)],
      ['x-dead-letter-routing-key', null],
      ['x-delivery-limit', -5],
      ['x-max-priority', 256],
      ['x-queue-type', 'stream'],
      ['x-queue-mode', 'eager'],
      ['x-single-active-consumer', 'true'],
    ];
    for (const [name, value] of cases) {
      const error = argumentRejection(() => checkQueueArguments({ [name]: value }));
      expect(error.message, `${name} = ${JSON.stringify(value)}`).toContain(`queue argument '${name}'`);
      expect(error.scope).toBe('operation');
      expect(error.replyCode).toBe(406);
    }
  });

  it('lists the allowed values of an enumerated argument', () => {
    const error = argumentRejection(() => checkQueueArguments({ 'x-overflow': 'drop-tail' }));
    expect(error.message).toContain('"drop-tail"');
    expect(error.message).toContain('drop-head, reject-publish, reject-publish-dlx');
  });

  it('names the bad argument among good and unknown ones', () => {
    const error = argumentRejection(() => checkQueueArguments({ 'x-custom': 1, 'x-max-length': 10, 'x-max-priority': -1 }));
    expect(error.message).toContain("'x-max-priority'");
    expect(error.message).toContain('-1');
  });
});

describe('checkExchangeArguments', () => {
  it('accepts an alternate exchange and unknown arguments', () => {
    checkExchangeArguments({});
    checkExchangeArguments({ 'alternate-exchange': 'unrouted' });
    checkExchangeArguments({ 'x-custom': true, 'alternate-exchange': '' });
  });

  it('rejects a non-string or too long alternate-exchange, naming it', () => {
    for (const value of [42, true, null, { name: 'x' }, 'a'.repeat(256)]) {
      const error = argumentRejection(() => checkExchangeArguments({ 'alternate-exchange': value }));
      expect(error.message).toContain("exchange argument 'alternate-exchange'");
    }
  });
});

describe('parseClientFrame: queue.browse', () => {
  it('rejects a page size out of range and a malformed filter, carrying the request id', () => {
    for (const fields of [{ count: 0 }, { count: 1001 }, { after: -1 }, { filter: { nope: 1 } }, { filter: { json_path: '$.a' } }, { filter: 'a.*' }]) {
      expect(rejection({ type: 'queue.browse', id: 9, queue: 'q', ...fields }).context?.id).toBe(9);
    }
  });
});
