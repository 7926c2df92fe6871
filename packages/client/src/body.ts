/**
 * Message bodies: what publish() accepts turned into bytes plus the content type it implies,
 * and bytes turned back into text or JSON for a received message.
 */
import { WarrenError } from '@warren/protocol/wire';

/** Bytes go as they are; a string as UTF-8 text; anything else as JSON. */
export type PublishBody = Uint8Array | ArrayBuffer | string | number | boolean | null | object;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeBody(body: PublishBody): { bytes: Uint8Array; contentType: string | undefined } {
  if (body instanceof Uint8Array) return { bytes: body, contentType: undefined };
  // An ArrayBuffer would serialize as "{}": take its bytes instead.
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body), contentType: undefined };
  if (typeof body === 'string') return { bytes: encoder.encode(body), contentType: 'text/plain' };
  const json: unknown = JSON.stringify(body);
  if (typeof json !== 'string') throw new WarrenError('invalid_argument', `a ${typeof body} body has no JSON form`);
  return { bytes: encoder.encode(json), contentType: 'application/json' };
}

export function decodeText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
