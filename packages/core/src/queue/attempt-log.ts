/**
 * The attempt log: why each failed attempt at a message failed, in its `x-warren-attempts`
 * header (docs/retry.md, "Attempt log"). Messages are shared by the queues they were routed to,
 * so a failed attempt never edits one: it makes a new Message carrying the longer log, which
 * then travels with it through requeues, retries, dead-lettering, redrive and restarts.
 */
import type { AttemptLogEntry, AttemptReason } from '@warren/protocol';
import type { Message } from '../message.js';

export type { AttemptReason };
export type AttemptEntry = AttemptLogEntry;

export const ATTEMPTS_HEADER = 'x-warren-attempts';

/** The header that carries the attempt number of a retried message (1 for the first delivery). */
export const ATTEMPT_HEADER = 'x-warren-attempt';

/** Entries kept when neither `x-attempt-log-limit` nor the policy key `attempt-log-limit` says otherwise. */
export const DEFAULT_ATTEMPT_LOG_LIMIT = 20;

/** Longest error text kept per entry, in characters. */
export const MAX_ATTEMPT_ERROR = 1024;

/** What the queue knows of one failed attempt; the log adds the number and the time. */
export interface AttemptFailure {
  reason: AttemptReason;
  error?: string;
  consumerTag?: string;
  connection?: string;
}

export function attemptsOf(message: Message): AttemptEntry[] {
  const log = message.headers?.[ATTEMPTS_HEADER];
  return Array.isArray(log) ? (log as AttemptEntry[]) : [];
}

/** The message with one more entry in its log, the oldest dropped beyond `limit` (0 keeps none). */
export function withAttempt(message: Message, queue: string, failure: AttemptFailure, now: number, limit: number): Message {
  const log = attemptsOf(message);
  if (limit <= 0) {
    if (log.length === 0) return message;
    const headers = { ...message.headers };
    delete headers[ATTEMPTS_HEADER];
    return { ...message, headers };
  }
  const last = log[log.length - 1];
  const entry: AttemptEntry = {
    attempt: (typeof last?.attempt === 'number' ? last.attempt : 0) + 1,
    time: now,
    queue,
    consumer_tag: failure.consumerTag ?? null,
    connection: failure.connection ?? null,
    reason: failure.reason,
    error: failure.error === undefined ? null : capError(failure.error),
  };
  const kept = log.length >= limit ? log.slice(log.length - limit + 1) : log;
  return { ...message, headers: { ...message.headers, [ATTEMPTS_HEADER]: [...kept, entry] } };
}

function capError(error: string): string {
  return error.length > MAX_ATTEMPT_ERROR ? error.slice(0, MAX_ATTEMPT_ERROR) : error;
}

/** The attempt number of a message's current delivery: 1 unless a retry raised it. */
export function attemptOf(message: Message): number {
  const attempt = message.headers?.[ATTEMPT_HEADER];
  return typeof attempt === 'number' && attempt >= 1 ? attempt : 1;
}
