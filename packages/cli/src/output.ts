/**
 * What a command prints: a table (or key/value lines) for people, the broker's JSON as it is
 * with --json for scripts. Everything goes through Io, so tests read it.
 */
import Table from 'cli-table3';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** All of standard input, for flags that read a secret from it (`--password-stdin`); absent in-process unless given. */
  readInput?(): Promise<string>;
}

/** One column: its header and how a row gives its cell. */
export type Column<T> = readonly [header: string, cell: (row: T) => unknown];

const PLAIN = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function table<T>(io: Io, rows: readonly T[], columns: readonly Column<T>[]): void {
  const t = new Table({ head: columns.map(([header]) => header), chars: PLAIN, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  for (const row of rows) t.push(columns.map(([, cell]) => text(cell(row))));
  io.out(`${t.toString().split('\n').map((line) => line.trimEnd()).join('\n')}\n`);
}

/** An object as `key  value` lines. */
export function fields(io: Io, value: Record<string, unknown>): void {
  const width = Math.max(0, ...Object.keys(value).map((k) => k.length));
  io.out(Object.entries(value).map(([k, v]) => `${k.padEnd(width)}  ${text(v)}\n`).join(''));
}

export function json(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value ?? null, null, 2)}\n`);
}

/** A write's answer: a line for people, an object for scripts. */
export function done(io: Io, asJson: boolean, value: Record<string, unknown>, line: string): void {
  if (asJson) json(io, value);
  else io.out(`${line}\n`);
}
