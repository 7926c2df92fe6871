/**
 * A queue's view (views.ts's queueView) written straight to JSON, for lists of thousands of
 * queues: building 10,000 view objects and handing them to JSON.stringify costs more than the
 * rest of the request together. The part that changes only with the queue's declaration or
 * policy (names, flags, arguments, effective settings) is kept as text per queue; the counts
 * and rates are written fresh, and the whole is kept as UTF-8 bytes until they change, so a
 * list is one Buffer.concat, with no 10 MB string to build and encode again per request. The
 * bytes are exactly JSON.stringify(queueView(…)) (queue-json.test.ts), so lists keep one shape
 * whichever way they are written.
 * fast-json-stringify with a response schema was measured and is slower here: the free-form
 * argument and policy objects fall back to JSON.stringify, and its per-field checks cost more.
 */
import type { MessageCounter, MessageStats, Queue } from '@warren/core';
import { QUEUE_COUNTERS } from './stats-views.js';
import { queueTypeOf } from '../cluster/replicated-queue.js';
import { idleSince, settingsView } from './views.js';

interface Declared {
  record: Queue['record'];
  policy: Queue['policy'];
  settings: object;
  text: string;
}

const declaredTexts = new WeakMap<Queue, Declared>();

/** `{"name":…` up to and including `"effective_settings":{…},`, kept while the queue's declaration and policy stay. */
function declaredText(queue: Queue): string {
  const kept = declaredTexts.get(queue);
  if (kept !== undefined && kept.record === queue.record && kept.policy === queue.policy && kept.settings === queue.settings) return kept.text;
  const r = queue.record;
  const text =
    `{"name":${JSON.stringify(r.name)},"vhost":${JSON.stringify(r.vhost)},"durable":${r.durable},"exclusive":${r.exclusive},` +
    `"auto_delete":${r.autoDelete},"arguments":${JSON.stringify(r.arguments)},"type":"${queueTypeOf(queue)}",` +
    `"policy":${JSON.stringify(queue.policy?.name ?? null)},"effective_policy_definition":${JSON.stringify(queue.policy?.record.definition ?? {})},` +
    `"effective_settings":${JSON.stringify(settingsView(queue.settings))},`;
  declaredTexts.set(queue, { record: r, policy: queue.policy, settings: queue.settings, text });
  return text;
}

/** JSON's spelling of a number: what JSON.stringify writes (null for NaN and infinities). */
function num(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

function rate(value: number): string {
  return num(Math.round(value * 100) / 100);
}

/**
 * The numbers a queue's text is written from, in this order: ready, unacked, ram, bytes,
 * consumers, the two depth rates, utilisation (NaN without consumers), then each counter and
 * its rate, then deliver_get and its rate.
 */
const FIXED = 8;
const WIDTH = FIXED + QUEUE_COUNTERS.length * 2 + 2;

interface Written {
  numbers: Float64Array;
  declared: string;
  exclusiveTag: string | undefined;
  activeTag: string | undefined;
  idle: string | undefined;
  node: string;
  bytes: Buffer;
}

const written = new WeakMap<Queue, Written>();
const scratch = new Float64Array(WIDTH);

function readNumbers(queue: Queue, into: Float64Array): void {
  const stats = queue.stats();
  const ms = queue.messageStats;
  into[0] = stats.ready;
  into[1] = stats.unacked;
  into[2] = stats.ram;
  into[3] = stats.bytes;
  into[4] = stats.consumers;
  into[5] = ms.depthRates.ready;
  into[6] = ms.depthRates.unacked;
  into[7] = stats.consumers > 0 ? (ms.utilisation ?? Number.NaN) : Number.NaN;
  let i = FIXED;
  for (const counter of QUEUE_COUNTERS) {
    into[i++] = ms[counter as MessageCounter];
    into[i++] = ms.rate(counter);
  }
  into[i++] = ms.deliverGet;
  into[i] = ms.deliverGetRate;
}

function sameNumbers(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < WIDTH; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/**
 * JSON.stringify(queueView(queue, node)) as UTF-8, without building the view. A queue whose
 * numbers, declaration and policy have not changed since it was last written (most of 10,000,
 * between two requests) answers the bytes it was written as.
 */
export function queueJson(queue: Queue, node: string): Buffer {
  readNumbers(queue, scratch);
  const declared = declaredText(queue);
  const exclusiveTag = queue.consumers.find((c) => c.options.exclusive)?.tag;
  const activeTag = queue.singleActiveConsumer?.tag;
  const idle = idleSince(queue);
  const kept = written.get(queue);
  if (kept !== undefined && kept.declared === declared && kept.exclusiveTag === exclusiveTag && kept.activeTag === activeTag && kept.idle === idle && kept.node === node && sameNumbers(kept.numbers, scratch)) {
    return kept.bytes;
  }
  const n = scratch;
  const parts = [
    declared,
    `"messages":${num(n[0]! + n[1]!)},"messages_ready":${num(n[0]!)},"messages_unacknowledged":${num(n[1]!)},`,
    `"messages_ram":${num(n[2]!)},"messages_paged_out":${num(n[0]! - n[2]!)},`,
    `"messages_details":{"rate":${rate(n[5]! + n[6]!)}},"messages_ready_details":{"rate":${rate(n[5]!)}},`,
    `"messages_unacknowledged_details":{"rate":${rate(n[6]!)}},"messages_ready_ram":${num(n[2]!)},`,
    `"message_bytes":${num(n[3]!)},"message_bytes_ready":${num(n[3]!)},"consumers":${num(n[4]!)},`,
    `"consumer_capacity":${Number.isNaN(n[7]) ? '0' : num(n[7]!)},"consumer_utilisation":${Number.isNaN(n[7]) ? 'null' : num(n[7]!)},`,
    `"exclusive_consumer_tag":${exclusiveTag === undefined ? 'null' : JSON.stringify(exclusiveTag)},`,
    `"single_active_consumer_tag":${activeTag === undefined ? 'null' : JSON.stringify(activeTag)},"node":${JSON.stringify(node)},`,
    '"state":"running","operator_policy":null,"message_stats":{',
  ];
  let i = FIXED;
  for (const counter of QUEUE_COUNTERS) {
    parts.push(`${i === FIXED ? '' : ','}"${counter}":${num(n[i]!)},"${counter}_details":{"rate":${rate(n[i + 1]!)}}`);
    i += 2;
  }
  parts.push(`,"deliver_get":${num(n[i]!)},"deliver_get_details":{"rate":${rate(n[i + 1]!)}}}`);
  parts.push(idle === undefined ? '}' : `,"idle_since":"${idle}"}`);
  const bytes = Buffer.from(parts.join(''));
  written.set(queue, { numbers: Float64Array.from(scratch), declared, exclusiveTag, activeTag, idle, node, bytes });
  return bytes;
}
