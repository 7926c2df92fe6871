/**
 * Slows down repeated failed logins from one address (docs/security.md, "Failed logins"); the
 * caller picks the key (authenticator.ts: address and claimed user). After FREE_FAILURES
 * failures, each further attempt with that key waits before it is checked,
 * doubling per failure up to MAX_DELAY_MS. A success clears the address; failures older than
 * FORGET_MS are forgotten. Addresses kept are bounded, so a spray of addresses costs bounded memory.
 */
const FREE_FAILURES = 3;
const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 8_000;
const FORGET_MS = 10 * 60_000;
const MAX_ADDRESSES = 100_000;

interface Failures {
  count: number;
  last: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly now: () => number = Date.now) {}

  /** How long an attempt from this address must wait now, ms. */
  delayFor(address: string): number {
    const entry = this.failures.get(address);
    if (entry === undefined) return 0;
    if (this.now() - entry.last > FORGET_MS) {
      this.failures.delete(address);
      return 0;
    }
    const over = entry.count - FREE_FAILURES;
    return over < 0 ? 0 : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** over);
  }

  failed(address: string): void {
    const entry = this.failures.get(address);
    if (entry !== undefined) {
      entry.count++;
      entry.last = this.now();
      return;
    }
    if (this.failures.size >= MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(address, { count: 1, last: this.now() });
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
