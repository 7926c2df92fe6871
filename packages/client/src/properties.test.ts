import { describe, expect, it } from 'vitest';
import { decodeText, encodeBody } from './body.js';
import { fromWireProperties, toWireProperties } from './properties.js';
import { connected, settle } from './testing/helpers.js';

describe('publish properties', () => {
  it('maps every camelCase option to its snake_case wire property', () => {
    const wire = toWireProperties(
      {
        contentType: 'application/x',
        contentEncoding: 'gzip',
        correlationId: 'corr',
        replyTo: 'replies',
        expiration: 60000,
        messageId: 'id-1',
        timestamp: new Date(1700000000000),
        type: 'order.created',
        appId: 'shop',
        userId: 'guest',
        priority: 5,
        persistent: false,
      },
      'text/plain',
    );
    expect(wire).toEqual({
      content_type: 'application/x',
      content_encoding: 'gzip',
      correlation_id: 'corr',
      reply_to: 'replies',
      expiration: '60000',
      message_id: 'id-1',
      timestamp: 1700000000000,
      type: 'order.created',
      app_id: 'shop',
      user_id: 'guest',
      priority: 5,
      persistent: false,
    });
  });

  it('defaults to persistent and to the content type the body implies', () => {
    expect(toWireProperties({}, 'application/json')).toEqual({ content_type: 'application/json', persistent: true });
    expect(toWireProperties({ expiration: '10', timestamp: 5 }, undefined)).toEqual({ expiration: '10', timestamp: 5, persistent: true });
  });

  it('reads wire properties back in camelCase', () => {
    expect(fromWireProperties({ content_type: 't', message_id: 'm', app_id: 'a', persistent: true })).toEqual({
      contentType: 't',
      messageId: 'm',
      appId: 'a',
      persistent: true,
    });
    expect(fromWireProperties(undefined)).toEqual({});
  });
});

describe('publish bodies', () => {
  it('sends bytes as they are, strings as UTF-8 text, other values as JSON', () => {
    const raw = new Uint8Array([0, 255]);
    expect(encodeBody(raw)).toEqual({ bytes: raw, contentType: undefined });
    expect(decodeText(encodeBody('héllo').bytes)).toBe('héllo');
    expect(encodeBody('héllo').contentType).toBe('text/plain');
    expect(decodeText(encodeBody({ a: [1, null] }).bytes)).toBe('{"a":[1,null]}');
    expect(encodeBody(42).contentType).toBe('application/json');
    expect([...encodeBody(new Uint8Array([7, 8]).buffer).bytes]).toEqual([7, 8]);
  });

  it('rejects a value with no JSON form', () => {
    expect(() => encodeBody(undefined as unknown as object)).toThrow(expect.objectContaining({ code: 'invalid_argument' }));
  });

  it('lets an explicit contentType win over the implied one on the wire', async () => {
    const { client, server } = await connected();
    void client.publish('x', 'k', { a: 1 }, { contentType: 'application/vnd.x+json', headers: { h: 1 }, correlationId: 'c' }).catch(() => {});
    await settle();
    expect(server.framesOf('publish')[0]?.header).toEqual({
      type: 'publish',
      seq: 1,
      exchange: 'x',
      routing_key: 'k',
      properties: { content_type: 'application/vnd.x+json', correlation_id: 'c', persistent: true },
      headers: { h: 1 },
    });
    expect(new TextDecoder().decode(server.framesOf('publish')[0]?.body)).toBe('{"a":1}');
  });
});
