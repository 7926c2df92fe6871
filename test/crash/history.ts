/**
 * The crash loop's ledger: what happened to every message across every broker kill, and the
 * verdict at the end. It knows nothing of processes or sockets (harness.ts drives it); it only
 * records publishes, confirms, deliveries and acks as the clients saw them, and applies the rules:
 *
 * - lost: confirmed and never delivered. Must be 0.
 * - lost unacked: confirmed, delivered, and no ack even sent for it before a kill, yet never
 *   delivered again. Must be 0 (the broker cannot have seen an ack that was never sent).
 * - unexpected: a delivery whose body is not one we published, or not byte for byte. Must be 0.
 * - duplicates: a message delivered again is allowed only once per kill that found it delivered
 *   and its ack not known to be applied. An ack counts as applied only when a request sent after
 *   it on the same connection was answered: the broker processes a connection's frames in order
 *   and replies after every write queued before the reply is applied (docs/protocol.md,
 *   "Requests and replies"). Any other redelivery is an unexpected duplicate. Must be 0.
 *
 * Message ids are `m<run>.<n>`: run is one publisher connection, n its publish count. State is
 * kept in typed arrays per run, a few bytes a message, so a long run can track millions.
 */

export interface CrashTotals {
  rounds: number;
  /** Publishes handed to a client (attempted). */
  published: number;
  /** Publishes whose publish.ack arrived. */
  confirmed: number;
  /** Deliveries received, redeliveries included. */
  delivered: number;
  /** Acks sent. */
  acked: number;
  /** Acks known applied: a later request on the same connection was answered. */
  acksConfirmed: number;
  /** Redeliveries of a message that a kill found delivered and not known acked (allowed). */
  duplicates: number;
  lost: number;
  lostUnacked: number;
  unexpected: number;
  unexpectedDuplicates: number;
}

const PUBLISHED = 1;
const CONFIRMED = 2;
/** Confirmed, delivered, no ack sent when the broker was killed: it must come back. */
const MUST_RETURN = 4;

class Run {
  flags = new Uint8Array(1024);
  deliveries = new Uint8Array(1024);
  /** Redeliveries still allowed: one per kill that found the message delivered, ack unknown. */
  allowance = new Uint8Array(1024);
  size = 0;

  ensure(n: number): void {
    if (n < this.flags.length) return;
    let capacity = this.flags.length * 2;
    while (capacity <= n) capacity *= 2;
    for (const field of ['flags', 'deliveries', 'allowance'] as const) {
      const grown = new Uint8Array(capacity);
      grown.set(this[field]);
      this[field] = grown;
    }
  }
}

interface Open {
  run: Run;
  n: number;
  ackSent: boolean;
}

/** The body of message `m<run>.<n>`: its id, then filler derived from it, `size` bytes in all. */
export function bodyOf(id: string, size = 96): string {
  return `${id}|${`${id};`.repeat(Math.ceil(size / (id.length + 1)))}`.slice(0, Math.max(size, id.length + 1));
}

export class History {
  rounds = 0;
  private readonly runs: Run[] = [];
  /** Deliveries of the current round whose ack is not known applied, by message id. */
  private readonly open = new Map<string, Open>();
  private totals = { published: 0, confirmed: 0, delivered: 0, acked: 0, acksConfirmed: 0, duplicates: 0, unexpected: 0, unexpectedDuplicates: 0 };
  /** Confirmed messages not yet delivered even once: what the broker holds for us, roughly. */
  private waiting = 0;
  /** First few violations, for the failure message. */
  readonly problems: string[] = [];

  /** A new publisher connection: its messages are `m<run>.<n>`. */
  newRun(): number {
    this.runs.push(new Run());
    return this.runs.length - 1;
  }

  /** Records the attempt and returns the body to publish. */
  publish(run: number, n: number, size?: number): string {
    const r = this.runs[run]!;
    r.ensure(n);
    r.size = Math.max(r.size, n + 1);
    r.flags[n]! |= PUBLISHED;
    this.totals.published++;
    return bodyOf(`m${run}.${n}`, size);
  }

  confirmed(run: number, n: number): void {
    const r = this.runs[run]!;
    r.flags[n]! |= CONFIRMED;
    this.totals.confirmed++;
    if (r.deliveries[n] === 0) this.waiting++;
  }

  /** Confirmed messages never delivered so far: publishers hold back while this is large. */
  get backlog(): number {
    return this.waiting;
  }

  /** Records a delivery; returns the message id to ack with, or undefined when it is not ours. */
  delivered(body: string): string | undefined {
    this.totals.delivered++;
    const id = body.slice(0, body.indexOf('|'));
    const match = /^m(\d+)\.(\d+)$/.exec(id);
    const r = match ? this.runs[Number(match[1])] : undefined;
    const n = match ? Number(match[2]) : -1;
    if (r === undefined || n >= r.size || (r.flags[n]! & PUBLISHED) === 0 || body !== bodyOf(id, body.length)) {
      this.totals.unexpected++;
      this.problem(`unexpected delivery: ${JSON.stringify(body.slice(0, 80))}`);
      return undefined;
    }
    const before = r.deliveries[n]!;
    r.deliveries[n] = Math.min(255, before + 1);
    r.flags[n]! &= ~MUST_RETURN;
    if (before === 0 && (r.flags[n]! & CONFIRMED) !== 0) this.waiting--;
    if (before > 0) {
      if (r.allowance[n]! > 0 && !this.open.has(id)) {
        r.allowance[n]!--;
        this.totals.duplicates++;
      } else {
        this.totals.unexpectedDuplicates++;
        this.problem(`${id} delivered ${before + 1} times with no kill to explain it`);
      }
    }
    this.open.set(id, { run: r, n, ackSent: false });
    return id;
  }

  ackSent(id: string): void {
    this.totals.acked++;
    const open = this.open.get(id);
    if (open !== undefined) open.ackSent = true;
  }

  /** A request sent after these acks was answered on the same connection: they are applied. */
  acksApplied(ids: readonly string[]): void {
    for (const id of ids) {
      if (this.open.delete(id)) this.totals.acksConfirmed++;
    }
  }

  /** The broker was killed and every client has seen its connection end. */
  crashed(): void {
    this.rounds++;
    for (const { run, n, ackSent } of this.open.values()) {
      run.allowance[n] = Math.min(255, run.allowance[n]! + 1);
      if (!ackSent && (run.flags[n]! & CONFIRMED) !== 0) run.flags[n]! |= MUST_RETURN;
    }
    this.open.clear();
  }

  /** The totals so far; `final` also lists the lost messages among the problems. */
  verdict(final = true): CrashTotals {
    let lost = 0;
    let lostUnacked = 0;
    this.runs.forEach((r, run) => {
      for (let n = 0; n < r.size; n++) {
        const flags = r.flags[n]!;
        if ((flags & CONFIRMED) !== 0 && r.deliveries[n] === 0) {
          lost++;
          if (final) this.problem(`m${run}.${n} was confirmed and never delivered`);
        }
        if ((flags & MUST_RETURN) !== 0) {
          lostUnacked++;
          if (final) this.problem(`m${run}.${n} was delivered, not acked at a kill, and never delivered again`);
        }
      }
    });
    return { rounds: this.rounds, ...this.totals, lost, lostUnacked };
  }

  private problem(text: string): void {
    if (this.problems.length < 20) this.problems.push(text);
  }
}
