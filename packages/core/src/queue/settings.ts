/**
 * A queue's effective settings: its x-arguments merged with the policy that applies to it.
 * Precedence is RabbitMQ's (rabbit_queue_type_util:args_policy_lookup): for the numeric limits
 * (message-ttl, expires, max-length, max-length-bytes, delivery-limit, ack-timeout,
 * attempt-log-limit, dedup-window) the smaller of the two
 * wins; for dead-letter-exchange, dead-letter-routing-key and overflow the queue argument wins.
 * Warren's retry settings come as a whole from the arguments when any x-retry-* is set, else
 * from the policy. Documented in docs/dead-lettering.md.
 */
import type { Table } from '../message.js';

export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

export interface RetrySettings {
  /** A ladder of delays in ms: attempt n waits delays[n-1], the last one repeating. */
  delays?: number[];
  initialDelay: number;
  multiplier: number;
  maxDelay: number;
  /** 0..1: each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
  /** Deliveries in all, the first included; after the last failed one the message is dead-lettered. */
  maxAttempts: number;
}

export interface QueueSettings {
  messageTtl?: number;
  expires?: number;
  maxLength?: number;
  maxLengthBytes?: number;
  overflow: Overflow;
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  deliveryLimit?: number;
  retry?: RetrySettings;
  /** How long a publisher's message id keeps a repeat out of the queue, ms (dedup.ts); 0 or absent: off. */
  dedupWindow?: number;
  /** Ack lease of a delivery, ms (a consumer's own ackTimeout overrides it). */
  ackTimeout?: number;
  /** Entries kept in a message's attempt log (attempt-log.ts); absent: its default. */
  attemptLogLimit?: number;
  /** x-single-active-consumer: only the first attached consumer gets messages (active-consumer.ts). A queue argument only, as in RabbitMQ. */
  singleActiveConsumer?: boolean;
}

export const DEFAULT_RETRY: RetrySettings = { initialDelay: 1000, multiplier: 2, maxDelay: 60_000, jitter: 0, maxAttempts: 5 };

const RETRY_KEYS = ['delays', 'initial-delay', 'multiplier', 'max-delay', 'jitter', 'max-attempts'] as const;

export function queueSettings(args: Table, policy: Table | undefined): QueueSettings {
  const p = policy ?? {};
  const settings: QueueSettings = { overflow: 'drop-head' };
  const smaller = (arg: unknown, pol: unknown): number | undefined => {
    const values = [arg, pol].filter((v): v is number => typeof v === 'number');
    return values.length === 0 ? undefined : Math.min(...values);
  };
  const argFirst = (arg: unknown, pol: unknown): string | undefined =>
    typeof arg === 'string' ? arg : typeof pol === 'string' ? pol : undefined;

  setIf(settings, 'messageTtl', smaller(args['x-message-ttl'], p['message-ttl']));
  setIf(settings, 'expires', smaller(args['x-expires'], p.expires));
  setIf(settings, 'maxLength', smaller(args['x-max-length'], p['max-length']));
  setIf(settings, 'maxLengthBytes', smaller(args['x-max-length-bytes'], p['max-length-bytes']));
  setIf(settings, 'deliveryLimit', smaller(args['x-delivery-limit'], p['delivery-limit']));
  setIf(settings, 'dedupWindow', smaller(args['x-dedup-window'], p['dedup-window']));
  setIf(settings, 'ackTimeout', smaller(args['x-ack-timeout'], p['ack-timeout']));
  setIf(settings, 'attemptLogLimit', smaller(args['x-attempt-log-limit'], p['attempt-log-limit']));
  setIf(settings, 'deadLetterExchange', argFirst(args['x-dead-letter-exchange'], p['dead-letter-exchange']));
  setIf(settings, 'deadLetterRoutingKey', argFirst(args['x-dead-letter-routing-key'], p['dead-letter-routing-key']));
  if (args['x-single-active-consumer'] === true) settings.singleActiveConsumer = true;
  const overflow = argFirst(args['x-overflow'], p.overflow);
  if (overflow !== undefined) settings.overflow = overflow as Overflow;

  const fromArgs = RETRY_KEYS.some((key) => args[`x-retry-${key}`] !== undefined);
  const source = (key: (typeof RETRY_KEYS)[number]): unknown => (fromArgs ? args[`x-retry-${key}`] : p[`retry-${key}`]);
  if (RETRY_KEYS.some((key) => source(key) !== undefined)) {
    const retry: RetrySettings = { ...DEFAULT_RETRY };
    const delays = source('delays');
    if (Array.isArray(delays) && delays.length > 0) retry.delays = delays as number[];
    retry.initialDelay = numberOr(source('initial-delay'), retry.initialDelay);
    retry.multiplier = numberOr(source('multiplier'), retry.multiplier);
    retry.maxDelay = numberOr(source('max-delay'), retry.maxDelay);
    retry.jitter = numberOr(source('jitter'), retry.jitter);
    retry.maxAttempts = numberOr(source('max-attempts'), retry.maxAttempts);
    settings.retry = retry;
  }
  return settings;
}

/** The delay before attempt `attempt` + 1, after `attempt` failed attempts (1-based). */
export function retryDelay(retry: RetrySettings, attempt: number, random: () => number = Math.random): number {
  const base = retry.delays
    ? (retry.delays[Math.min(attempt, retry.delays.length) - 1] as number)
    : Math.min(retry.maxDelay, retry.initialDelay * retry.multiplier ** (attempt - 1));
  if (retry.jitter === 0) return Math.round(base);
  return Math.max(0, Math.round(base * (1 + retry.jitter * (2 * random() - 1))));
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function setIf<K extends keyof QueueSettings>(settings: QueueSettings, key: K, value: QueueSettings[K] | undefined): void {
  if (value !== undefined) settings[key] = value;
}
