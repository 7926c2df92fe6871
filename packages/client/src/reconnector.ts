/**
 * The reconnect loop (docs/client-failover.md): after a lost connection, attempt after attempt
 * goes to the next URL of the list, round-robin, each after its back-off delay (backoff.ts),
 * until one succeeds, an attempt meets an error that no retry can fix (credentials, vhost), the
 * attempts run out, or stop() (close()) ends it. What an attempt does (open, handshake, declare
 * again, resume consumers) is the client's `attempt` function.
 */
import { WarrenError, type ErrorCode } from '@warren/protocol/wire';
import { backoffDelay, type Backoff } from './backoff.js';
import type { ConnectionStates } from './connection-states.js';

/**
 * Why a connection may end that another connection can fix: the broker went away or was
 * restarted, an operator or the broker closed it, the node was cut off from its cluster, the
 * network failed. Credentials, vhost and
 * protocol errors are not among them: the same client would meet them again.
 */
const RECOVERABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'internal_error',
  'shutting_down',
  'connection_forced',
  'node_isolated',
  'heartbeat_timeout',
  'handshake_timeout',
  'connection_limit',
  'peer_not_reading',
]);

export function isRecoverable(error: unknown): boolean {
  return error instanceof WarrenError && RECOVERABLE.has(error.code);
}

export type Outcome = { index: number } | { error: WarrenError } | 'stopped';

export class Reconnector {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly urls: readonly string[],
    private readonly backoff: Backoff,
    private readonly states: ConnectionStates,
    /** Connects to urls[index] and recovers; rejects with why not. */
    private readonly attempt: (index: number) => Promise<void>,
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts from the URL after urls[from] on; resolves with the index that worked, or why it gave up. */
  async run(from: number): Promise<Outcome> {
    let last: WarrenError | undefined;
    for (let attempt = 1; attempt <= this.backoff.maxAttempts; attempt++) {
      const index = (from + attempt) % this.urls.length;
      const delay = backoffDelay(attempt, this.backoff, this.random);
      this.states.set({ state: 'reconnecting', url: this.urls[index]!, attempt, delay });
      await this.sleep(delay);
      if (this.stopped) return 'stopped';
      try {
        await this.attempt(index);
        return this.stopped ? 'stopped' : { index };
      } catch (error) {
        if (this.stopped) return 'stopped';
        const reason = error instanceof WarrenError ? error : new WarrenError('internal_error', String(error), { cause: error });
        if (!isRecoverable(reason)) return { error: reason };
        last = reason;
      }
    }
    return {
      error: new WarrenError('reconnect_failed', `gave up after ${this.backoff.maxAttempts} attempts to reconnect; the last failed with ${last?.code}: ${last?.message}`, { cause: last }),
    };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
  }
}
