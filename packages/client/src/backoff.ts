/**
 * When the client tries to reconnect (docs/client-failover.md): exponential back-off with full
 * jitter, as in "Exponential Backoff And Jitter" (AWS Architecture Blog): attempt n waits a
 * uniformly random time between 0 and min(maxDelay, minDelay × 2ⁿ), so clients that lost the
 * same node do not all come back in the same instant. Which URL an attempt goes to, and what it
 * does, is reconnector.ts's business.
 */
import { WarrenError } from '@warren/protocol/wire';

export interface ReconnectOptions {
  /** Ms: the first attempt waits up to this long; each next one up to twice as long. Default 100. */
  minDelay?: number;
  /** Ms: no attempt waits longer. Default 5000. */
  maxDelay?: number;
  /**
   * Attempts before the client gives up (`failed`, and everything pending rejects with
   * `reconnect_failed`). Default 30; `Infinity` tries until close().
   */
  maxAttempts?: number;
}

export type Backoff = Required<ReconnectOptions>;

export const DEFAULT_BACKOFF: Backoff = { minDelay: 100, maxDelay: 5000, maxAttempts: 30 };

/** The options with their defaults; throws `invalid_argument` for a value that makes no sense. */
export function backoffOf(options: ReconnectOptions): Backoff {
  const backoff = { ...DEFAULT_BACKOFF, ...withoutUndefined(options) };
  if (!(backoff.minDelay >= 0) || !(backoff.maxDelay >= backoff.minDelay)) {
    throw new WarrenError('invalid_argument', `reconnect delays need 0 <= minDelay <= maxDelay, got ${backoff.minDelay} and ${backoff.maxDelay}`);
  }
  if (!(backoff.maxAttempts >= 1)) throw new WarrenError('invalid_argument', `reconnect.maxAttempts must be at least 1, got ${backoff.maxAttempts}`);
  return backoff;
}

/** Ms to wait before attempt `attempt` (1 for the first after a loss); `random` returns [0, 1). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  // 2^(attempt-1) overflows to Infinity long after the cap applies; min() keeps it finite.
  const ceiling = Math.min(backoff.maxDelay, backoff.minDelay * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

function withoutUndefined(options: ReconnectOptions): ReconnectOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
