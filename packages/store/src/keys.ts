/**
 * The LevelDB key layout. Keys are UTF-8 strings; values are JSON records, except messages
 * (message-codec.ts) and markers (empty).
 *
 *   x!<vhost>!<name>                                          exchange record
 *   q!<vhost>!<name>                                          queue record
 *   b!<vhost>!<source>!<q|e>!<destination>!<routingKey>!<args> binding record
 *   m!<queueId>!<seq>                                         message
 *   t!<queueId>!<seq>                                         marker: that message is transient
 *   d!<queueId>!<seq>                                         delivery count of that message, decimal text
 *   h!<queueId>!                                              delivery mark of the queue (a seq), decimal text
 *   i!<queueId>!<messageId>                                   dedup id the queue took, value: ms as decimal text
 *   r!<jobId>                                                 redrive job record (record space 'redrive')
 *   a!<entryId>                                               audit log entry (record space 'audit')
 *   v!<vhost>                                                 a vhost and its metadata (record space 'vhost')
 *   u!<kind>:<key>                                            user, permission, topic permission (record space 'access')
 *
 * `<seq>` is 16 hex digits, so byte order is seq order. `<args>` is the canonical JSON of the
 * binding's arguments, so argument tables with equal entries name the same binding. Every other
 * component is escaped ('%' → '%25', '!' → '%21'), so '!' only ever separates, and all keys of
 * one queue form one range: from `m!<queueId>!` up to, not including, `m!<queueId>"` ('"' is the
 * character after '!'). Transient messages get a marker beside them so that boot finds them by
 * reading markers only, never the messages of a durable queue.
 */
import { canonicalJson, type BindingRecord, type RecordSpace } from '@warren/core';

export const EXCHANGES = 'x!';
export const QUEUES = 'q!';
export const BINDINGS = 'b!';
export const MESSAGES = 'm!';
export const MARKERS = 't!';
export const POLICIES = 'p!';
export const SCHEDULED = 's!';
export const DEDUP_IDS = 'i!';
export const DELIVERY_COUNTS = 'd!';
export const DELIVERY_MARKS = 'h!';
/** Record spaces (Store.putRecord), each its own prefix; ids sort as their keys do. */
export const RECORD_SPACES: Record<RecordSpace, string> = { redrive: 'r!', audit: 'a!', vhost: 'v!', access: 'u!' };

function escapeKeyPart(part: string): string {
  if (part.indexOf('!') === -1 && part.indexOf('%') === -1) return part;
  return part.replaceAll('%', '%25').replaceAll('!', '%21');
}

function unescapeKeyPart(part: string): string {
  if (part.indexOf('%') === -1) return part;
  return part.replaceAll('%21', '!').replaceAll('%25', '%');
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

/** `m!<queueId>!`, `t!<queueId>!` or `i!<queueId>!`: the prefix of one queue's messages, markers or dedup ids. */
export function queuePrefix(
  space: typeof MESSAGES | typeof MARKERS | typeof DEDUP_IDS | typeof DELIVERY_COUNTS | typeof DELIVERY_MARKS,
  queueId: string,
): string {
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

export function recordKey(space: RecordSpace, id: string): string {
  return `${RECORD_SPACES[space]}${escapeKeyPart(id)}`;
}

/** The message id at the end of a dedup key whose queue prefix (queuePrefix(DEDUP_IDS, …)) is `prefixLength` long. */
export function dedupIdOfKey(key: string, prefixLength: number): string {
  return unescapeKeyPart(key.slice(prefixLength));
}

export function dedupKeyPart(messageId: string): string {
  return escapeKeyPart(messageId);
}
