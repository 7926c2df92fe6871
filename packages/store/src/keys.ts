/**
 * The LevelDB key layout. Keys are UTF-8 strings; values are JSON records, except messages
 * (message-codec.ts) and markers (empty).
 *
 *   x!<vhost>!<name>                                          exchange record
 *   q!<vhost>!<name>                                          queue record
 *   b!<vhost>!<source>!<q|e>!<destination>!<routingKey>!<args> binding record
 *   m!<queueId>!<seq>                                         message
 *   t!<queueId>!<seq>                                         marker: that message is transient
 *
 * `<seq>` is 16 hex digits, so byte order is seq order. `<args>` is the canonical JSON of the
 * binding's arguments, so argument tables with equal entries name the same binding. Every other
 * component is escaped ('%' → '%25', '!' → '%21'), so '!' only ever separates, and all keys of
 * one queue form one range: from `m!<queueId>!` up to, not including, `m!<queueId>"` ('"' is the
 * character after '!'). Transient messages get a marker beside them so that boot finds them by
 * reading markers only, never the messages of a durable queue.
 */
import { canonicalJson, type BindingRecord } from '@warren/core';

export const EXCHANGES = 'x!';
export const QUEUES = 'q!';
export const BINDINGS = 'b!';
export const MESSAGES = 'm!';
export const MARKERS = 't!';
export const POLICIES = 'p!';
export const SCHEDULED = 's!';

function escapeKeyPart(part: string): string {
  if (part.indexOf('!') === -1 && part.indexOf('%') === -1) return part;
  return part.replaceAll('%', '%25').replaceAll('!', '%21');
}

/** The first key after every key that starts with `prefix` (which ends with '!'). */
export function rangeEnd(prefix: string): string {
  return `${prefix.slice(0, -1)}"`;
}

export function exchangeKey(vhost: string, name: string): string {
  return `${EXCHANGES}${escapeKeyPart(vhost)}!${escapeKeyPart(name)}`;
}

export function queueKey(vhost: string, name: string): string {
  return `${QUEUES}${escapeKeyPart(vhost)}!${escapeKeyPart(name)}`;
}

export function bindingKey(b: BindingRecord): string {
  const destinationType = b.destinationType === 'queue' ? 'q' : 'e';
  return (
    `${BINDINGS}${escapeKeyPart(b.vhost)}!${escapeKeyPart(b.source)}!${destinationType}!` +
    `${escapeKeyPart(b.destination)}!${escapeKeyPart(b.routingKey)}!${escapeKeyPart(canonicalJson(b.arguments))}`
  );
}

/** `m!<queueId>!` or `t!<queueId>!`: the prefix of one queue's messages or markers. */
export function queuePrefix(space: typeof MESSAGES | typeof MARKERS, queueId: string): string {
  return `${space}${escapeKeyPart(queueId)}!`;
}

export function seqHex(seq: number): string {
  return seq.toString(16).padStart(16, '0');
}

/** The seq at the end of a message or marker key. */
export function seqOfKey(key: string): number {
  return parseInt(key.slice(-16), 16);
}

/** The prefix `m!<escaped queueId>!` of a message or marker key. */
export function queuePrefixOfKey(key: string): string {
  return key.slice(0, key.indexOf('!', 2) + 1);
}

export function policyKey(vhost: string, name: string): string {
  return `${POLICIES}${escapeKeyPart(vhost)}!${escapeKeyPart(name)}`;
}

export function scheduledKey(id: string): string {
  return `${SCHEDULED}${escapeKeyPart(id)}`;
}
